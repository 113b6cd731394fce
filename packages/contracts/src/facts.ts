import { Type, type Static } from '@sinclair/typebox';
import { StringEnum } from './string-enum';

const fraction = (description: string) => Type.Number({ minimum: 0, maximum: 1, description });
const count = (description: string) => Type.Integer({ minimum: 0, description });

/**
 * What the preprocessing saw in an upload, carried in the job payload for the uncertainty engine to tell digits
 * from photos, drawings and noise. Fractions are in [0,1]; grey levels are scaled to [0,1]. Defined here, not in
 * `@mserve/preprocess` which produces it, because the job payload is a wire shape: the preprocessing depends on the
 * contract, never the other way round.
 */
export const InputFactsSchema = Type.Object(
  {
    format: Type.String({
      description:
        'detected from magic bytes (`png`, `jpeg`, `webp`, `gif`, `tiff`, `avif`, `bmp`, or `raw` for pixels)',
    }),
    width: Type.Integer({ minimum: 1, description: 'size after EXIF orientation, pixels' }),
    height: Type.Integer({ minimum: 1, description: 'size after EXIF orientation, pixels' }),
    channels: Type.Integer({
      minimum: 1,
      maximum: 4,
      description: 'channels as stored (1 grey, 2 grey+alpha, 3 colour, 4 colour+alpha or CMYK)',
    }),
    bytes: count('encoded size, bytes (0 for already-decoded pixels)'),
    polarity: StringEnum(['light-on-dark', 'dark-on-light']),
    inverted: Type.Boolean({ description: 'the image was inverted to make the ink light on dark, as in MNIST' }),
    inkFraction: fraction('share of the (working-resolution) image covered by the ink kept; 0 for a blank image'),
    colourfulness: Type.Number({
      minimum: 0,
      description: 'Hasler–Süsstrunk colourfulness M (0 for grey; ~15 slightly, ~60 highly, >100 extremely colourful)',
    }),
    edgeDensity: fraction('share of pixels on a 128-px thumbnail whose Sobel gradient exceeds 10% of full scale'),
    borderContrast: fraction('ink-minus-paper contrast (robust high percentile of ink strength)'),
    paperNoise: fraction('robust standard deviation of the border (paper texture, sensor noise, clutter)'),
    bboxAspect: Type.Number({ minimum: 0, description: 'ink bounding box height / width (1 when blank)' }),
    bboxFill: fraction('ink bounding box area / image area (0 when blank)'),
    inkComponents: count('connected ink components kept (specks dropped)'),
    droppedInk: fraction('share of candidate ink mass dropped as specks or clutter'),
    ruledLines: count('rows plus columns (working pixels) removed as rulings of lined or squared paper'),
    strokeWidth: Type.Number({
      minimum: 0,
      description: "estimated stroke width relative to the ink bounding box's longer side (MNIST digits: ~0.10)",
    }),
    lumaEntropy: Type.Number({
      minimum: 0,
      description:
        'Shannon entropy of the 32-bin luminance histogram, bits (digits on paper: low; photos: high, max 5)',
    }),
    outputInk: fraction('share of the 28x28 output above 0.5 (MNIST digits: ~0.15)'),
    transparency: Type.Integer({
      minimum: 0,
      maximum: 1,
      description: '1 when the input had an alpha channel with transparent pixels, else 0',
    }),
    orientation: Type.Integer({ minimum: 1, maximum: 8, description: 'EXIF orientation tag applied (1 = none)' }),
  },
  { description: 'what the preprocessing saw in the upload' },
);

/** What the preprocessing saw in an upload (see {@link InputFactsSchema}). */
export type InputFacts = Static<typeof InputFactsSchema>;
