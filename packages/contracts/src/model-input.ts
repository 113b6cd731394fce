import { Type, type Static } from '@sinclair/typebox';
import { decodeTensor, type EncodedTensor } from './tensor';

/** The values of `include` a submission or a job read may ask for: extra fields the default answer leaves out. */
export const INCLUDE_VALUES = ['input'] as const;

/** The `include` parameter: `input` adds the preprocessed image the model saw to a completed job's answer. */
export const IncludeSchema = Type.Union([Type.Literal('input'), Type.Literal('')], {
  description:
    'input: the answer of a completed job also carries `input`, the preprocessed image the model saw ' +
    '(opt-in: a few hundred bytes per answer that most callers do not need)',
});

/**
 * The model's input as an image: one grey byte per pixel, row by row, top left first, 0 background and 255 full ink
 * (MNIST's polarity: the preprocessing turns dark-on-light uploads into light-on-dark).
 */
export const ModelInputSchema = Type.Object(
  {
    width: Type.Integer({ minimum: 1 }),
    height: Type.Integer({ minimum: 1 }),
    encoding: Type.Literal('grey8', { description: 'one unsigned byte per pixel, row-major' }),
    data: Type.String({ description: 'base64 of width x height grey bytes' }),
  },
  { description: 'the preprocessed image the model saw (asked for with include=input)' },
);
export type ModelInput = Static<typeof ModelInputSchema>;

/**
 * The model input of a job payload as a grey image. The tensor's trailing axis is its channels when it is 1 or 3
 * (the first channel is kept: the preprocessing writes the same grey to each); values in [0, 1] map to 0..255.
 */
export function modelInputImage(tensor: EncodedTensor): ModelInput {
  const { data, shape } = decodeTensor(tensor);
  const dims = [...shape];
  const last = dims[dims.length - 1] ?? 1;
  const channels = dims.length >= 3 && (last === 1 || last === 3) ? last : 1;
  if (channels === last && dims.length >= 3) dims.pop();
  const width = dims[dims.length - 1] ?? 1;
  const height = dims[dims.length - 2] ?? 1;
  const grey = Buffer.alloc(width * height);
  for (let i = 0; i < grey.length; i++) {
    const v = data[i * channels] ?? 0;
    grey[i] = Math.round(Math.min(1, Math.max(0, v)) * 255);
  }
  return { width, height, encoding: 'grey8', data: grey.toString('base64') };
}
