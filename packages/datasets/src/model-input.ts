/**
 * Model input for the images at `indices`: pixel/255 as float32 in the model's layout. For a 3-channel
 * `inputShape` ([rows, cols, 3]) each grey value is replicated to the three channels, as the CNN was trained.
 */
export function toModelInput(images: Uint8Array, indices: ArrayLike<number>, inputShape: number[]): Float32Array {
  const channels = inputShape.length === 3 ? inputShape[2]! : 1;
  const pixels = (inputShape[0] ?? 0) * (inputShape[1] ?? 1);
  if (channels !== 1 && channels !== 3) throw new Error(`toModelInput: unsupported channel count ${channels}`);
  const out = new Float32Array(indices.length * pixels * channels);
  for (let j = 0; j < indices.length; j++) {
    const base = indices[j]! * pixels;
    if (base + pixels > images.length) throw new RangeError(`toModelInput: image index ${indices[j]} out of range`);
    const o = j * pixels * channels;
    for (let p = 0; p < pixels; p++) {
      const v = images[base + p]! / 255;
      if (channels === 1) out[o + p] = v;
      else out.fill(v, o + p * 3, o + p * 3 + 3);
    }
  }
  return out;
}
