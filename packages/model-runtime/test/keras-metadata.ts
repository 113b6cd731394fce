/** Test fixture support: encodes `keras_metadata.pb`, to build TF >= 2.5 style models from the TF 2.4 assets. */
import { protoType, type KerasMetadataMessage } from '../src/proto';

export function encodeKerasMetadata(msg: KerasMetadataMessage): Uint8Array {
  const t = protoType('KerasSavedMetadata');
  return t.encode(t.fromObject(msg)).finish();
}
