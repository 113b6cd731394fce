import * as current from '@mserve/preprocess';
import { buildCorpus, CORPUS_SIZES, sectionDigests, type PreprocessApi } from '../src/preprocess-corpus';

/**
 * Digests of what the reference preprocessing (REFERENCE_COMMIT in src/preprocess-reference.ts, the one the
 * committed calibration was fitted with) makes of the corpus at CORPUS_SIZES: `pnpm preprocess:speed` prints the
 * reference's digests and compares every output case by case.
 */
const REFERENCE_DIGESTS: Record<string, string> = {
  'mnist-png': '22ef27a59c05a6f780af918b3d156625aaa402ff91a04c79f60bfc682596324d',
  uploads: '85cfac90fd506d1227cf8e3c7c9051ff1492e67d50362c3eed9ce79014fa581f',
  shifted: 'ff4a150391fffd8fa18c3dff4239fac91c3cc1180b5040c820b36f2cb958ea1b',
  samples: '1c567175e61d9c1b67f5aca957e17e63b20815add8460cd987bdb382153a703d',
  pixels: '7f59fe8a2ff20e7c9a90294ad0cd04b6f9f5a7b6b64d8d513a740865cd3a1eaf',
  'variant all steps': 'e6a37d023f91347a560125bb462753f5de5ce57de405bbaf122e8ce793e4d8d1',
  'variant no steps': 'd26ef9df83828f62659f0105cc447dd3292d7eee591a2b228690f2d2256b665c',
  'variant naive': 'df0ea7c205236103cd0a9e7902c9e26d18ca6572de7cd563f8e8bef281c7da18',
  'variant rgb': '18aff10213d6d91d690f4719343389a58c6159688c7a0188fdd44d8cccc474e3',
};

describe('preprocessing equivalence with the calibrated reference', () => {
  let cases: Awaited<ReturnType<typeof buildCorpus>>;
  beforeAll(async () => {
    cases = await buildCorpus(CORPUS_SIZES);
  }, 300_000);

  it('makes bit for bit the model inputs and facts the reference made, on every corpus section', async () => {
    expect(await sectionDigests(current, cases)).toEqual(REFERENCE_DIGESTS);
  }, 300_000);

  it('would notice a single flipped bit in one tensor', async () => {
    const pixels = cases.filter((c) => c.section === 'pixels');
    let flipped = false;
    const tampered: PreprocessApi = {
      ...current,
      preprocessPixels: async (px, opts) => {
        const r = await current.preprocessPixels(px, opts);
        if (!flipped) {
          flipped = true;
          const bits = new Uint32Array(r.tensor.buffer, r.tensor.byteOffset, r.tensor.length);
          bits[400] = bits[400]! ^ 1;
        }
        return r;
      },
    };
    const digests = await sectionDigests(tampered, pixels);
    expect(digests['pixels']).not.toBe(REFERENCE_DIGESTS['pixels']);
    expect(await sectionDigests(current, pixels)).toEqual({ pixels: REFERENCE_DIGESTS['pixels'] });
  });
});
