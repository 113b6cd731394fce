import { AppError } from '@mserve/common';

const DATA_URL_RE = /^data:([^,]*),/i;
const BASE64_RE = /^[A-Za-z0-9+/_-]*={0,2}$/;

function invalid(reason: string): AppError {
  return new AppError('VALIDATION_FAILED', `the image field is not valid base64: ${reason}`);
}

/**
 * The bytes of the `image` field of a JSON submission: bare base64 (standard or URL-safe alphabet, padded or not,
 * line breaks allowed as `base64` writes them) or a base64 `data:` URL such as `data:image/png;base64,iVBOR...`.
 * Anything else is a 400 VALIDATION_FAILED saying why: Node's own decoder skips the characters it does not know, so
 * without this check a typo became a few garbage bytes and a misleading "unsupported image type".
 */
export function decodeImageField(value: string): Buffer {
  let text = value;
  const dataUrl = DATA_URL_RE.exec(text);
  if (dataUrl) {
    if (!/;base64$/i.test(dataUrl[1] ?? '')) {
      throw invalid('a data: URL must be base64-encoded (data:image/png;base64,...)');
    }
    text = text.slice(dataUrl[0].length);
  }
  text = text.replace(/\s+/g, '');
  if (text.length === 0) throw new AppError('VALIDATION_FAILED', 'the image field is empty');
  if (!BASE64_RE.test(text)) {
    const bad = /[^A-Za-z0-9+/_=-]/.exec(text)?.[0];
    throw invalid(
      bad
        ? `${JSON.stringify(bad)} is outside the base64 alphabet`
        : 'wrong padding (at most two "=", only at the end)',
    );
  }
  const padded = text.endsWith('=');
  if ((padded && text.length % 4 !== 0) || (!padded && text.length % 4 === 1)) {
    throw invalid(`wrong padding (${text.length} characters ${padded ? 'with' : 'without'} "=")`);
  }
  return Buffer.from(text, 'base64');
}
