import { detectImageType } from './detect';

const b = (s: string): Buffer => Buffer.from(s, 'latin1');

describe('detectImageType', () => {
  it.each([
    ['png', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13])],
    ['jpeg', Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16])],
    ['gif', b('GIF89a\x01\x00\x01\x00')],
    ['webp', b('RIFF\x00\x00\x00\x00WEBPVP8 ')],
    ['tiff', b('II*\x00\x08\x00\x00\x00')],
    ['tiff', b('MM\x00*\x00\x00\x00\x08')],
    ['avif', b('\x00\x00\x00\x1cftypavif\x00\x00\x00\x00avifmif1miaf')],
    ['heic', b('\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic')],
    ['pdf', b('%PDF-1.7\n')],
    ['svg', b('<svg xmlns="http://www.w3.org/2000/svg"/>')],
    ['svg', Buffer.from('\uFEFF  <?xml version="1.0"?>\n<!-- hi -->\n<svg width="1" height="1"></svg>', 'utf8')],
    ['html', b('<!DOCTYPE html><html></html>')],
    ['text', b('this is not a picture, it only has .png in its name')],
  ])('recognises %s from its magic bytes', (format, buf) => {
    expect(detectImageType(buf)?.format).toBe(format);
  });

  it('recognises a BMP only with a plausible header, not any text starting with "BM"', () => {
    const bmp = Buffer.alloc(54);
    bmp.write('BM', 0, 'latin1');
    bmp.writeUInt32LE(40, 14);
    expect(detectImageType(bmp)?.format).toBe('bmp');
    expect(detectImageType(b('BMW is a car brand, not a bitmap'))?.format).toBe('text');
  });

  it('returns null for bytes it cannot name', () => {
    expect(detectImageType(Buffer.from([0x00, 0x01, 0x02, 0x03, 0xfe, 0xfd, 0x10, 0x80]))).toBeNull();
    expect(detectImageType(Buffer.alloc(0))).toBeNull();
  });

  it('gives a media type with every detection', () => {
    expect(detectImageType(b('%PDF-1.4'))).toEqual({ format: 'pdf', mime: 'application/pdf' });
  });
});
