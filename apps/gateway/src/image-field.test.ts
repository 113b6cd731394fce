import { decodeImageField } from './image-field';

const bytes = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0xfb, 0xff]);
const b64 = bytes.toString('base64');

describe('decodeImageField', () => {
  it.each([
    ['bare base64', b64],
    ['base64 without padding', b64.replace(/=+$/, '')],
    ['URL-safe base64', bytes.toString('base64url')],
    ['base64 wrapped over lines', `${b64.slice(0, 4)}\n${b64.slice(4)}\n`],
    ['a data: URL', `data:image/png;base64,${b64}`],
    ['a data: URL with parameters and capitals', `DATA:image/png;name=x.png;BASE64,${b64}`],
  ])('decodes %s', (_what, value) => {
    expect(decodeImageField(value)).toEqual(bytes);
  });

  it.each([
    ['a character outside the alphabet', `${b64.slice(0, 5)}%${b64.slice(5)}`, '"%" is outside the base64 alphabet'],
    ['a text that is no base64', 'hello world!', '"!" is outside the base64 alphabet'],
    ['padding in the middle', 'QQ==QUJD', 'wrong padding'],
    ['three padding characters', 'Q===', 'wrong padding'],
    ['padding on a length that is no multiple of 4', 'QQ=', 'wrong padding'],
    ['a length no base64 can have', 'QUJDR', 'wrong padding'],
    ['a data: URL that is not base64', 'data:image/png,%89PNG', 'must be base64-encoded'],
  ])('refuses %s with a 400 saying the image field is not valid base64', (_what, value, reason) => {
    let err: unknown;
    try {
      decodeImageField(value);
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect((err as Error).message).toMatch(/^the image field is not valid base64: /);
    expect((err as Error).message).toContain(reason);
  });

  it('refuses an empty data: URL as an empty image field', () => {
    expect(() => decodeImageField('data:image/png;base64,')).toThrow(
      expect.objectContaining({ code: 'VALIDATION_FAILED', message: 'the image field is empty' }),
    );
  });
});
