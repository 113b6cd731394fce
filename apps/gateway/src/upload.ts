import { AppError } from '@mserve/common';
import express, { type Request, type Response } from 'express';
import multer from 'multer';
import { clip } from './clip';
import { decodeImageField } from './image-field';
import type { Submission } from './pipeline/submit';

/** The multipart field holding the image file. */
const IMAGE_FIELD = 'image';

function run(mw: express.RequestHandler, req: Request, res: Response): Promise<void> {
  return new Promise((resolve, reject) => mw(req, res, (err?: unknown) => (err ? reject(err) : resolve())));
}

/** Largest form field other than the file (parameters; a webhook's JSON is the longest). */
const FIELD_MAX_BYTES = 16 * 1024;

/** A size limit as people and programs both read it: `10485760 bytes (10 MB)`. */
export function describeLimit(bytes: number): string {
  return `${bytes} bytes (${Number((bytes / (1024 * 1024)).toPrecision(3))} MB)`;
}

/**
 * Maps the errors of multer and body-parser to stable codes: bad input is always a 4xx. `maxBytes` is the upload
 * limit the file was held to, quoted by a 413.
 */
export function uploadError(err: unknown, maxBytes?: number): AppError | undefined {
  if (err instanceof AppError) return err;
  if (err instanceof multer.MulterError) {
    if (err.code === 'LIMIT_UNEXPECTED_FILE') {
      return new AppError(
        'VALIDATION_FAILED',
        `multipart upload: the image file must be in the field "${IMAGE_FIELD}"; got a file in the field "${clip(err.field ?? '')}"`,
      );
    }
    if (err.code === 'LIMIT_FILE_SIZE') {
      return new AppError(
        'PAYLOAD_TOO_LARGE',
        `upload too large${maxBytes ? `: limit ${describeLimit(maxBytes)}` : ''}`,
      );
    }
    if (err.code === 'LIMIT_FIELD_VALUE') {
      return new AppError(
        'PAYLOAD_TOO_LARGE',
        `form field "${clip(err.field ?? '')}" too large: limit ${describeLimit(FIELD_MAX_BYTES)}`,
      );
    }
    return new AppError(
      'BAD_REQUEST',
      `malformed multipart upload: ${err.message}${err.field ? ` (${err.field})` : ''}`,
    );
  }
  // Express refuses a path parameter that is not valid percent-encoding while matching routes, whatever the method.
  if (err instanceof URIError && (err as URIError & { status?: number }).status === 400) {
    return new AppError('BAD_REQUEST', `malformed request path: ${err.message}`);
  }
  const e = err as { type?: string; status?: number; message?: string; limit?: number } | null;
  if (e && typeof e === 'object' && typeof e.status === 'number' && e.status >= 400 && e.status < 500) {
    if (e.type === 'entity.too.large') {
      const limit = typeof e.limit === 'number' ? `: limit ${describeLimit(e.limit)}` : '';
      return new AppError('PAYLOAD_TOO_LARGE', `request body too large${limit}`);
    }
    if (e.type === 'entity.parse.failed') return new AppError('BAD_REQUEST', 'request body is not valid JSON');
    return new AppError('BAD_REQUEST', `malformed request body: ${e.message ?? e.type ?? 'unreadable'}`);
  }
  if (
    err instanceof Error &&
    /Unexpected end of form|Multipart: Boundary not found|Malformed part header/i.test(err.message)
  ) {
    return new AppError('BAD_REQUEST', `malformed multipart upload: ${err.message}`);
  }
  return undefined;
}

/**
 * Builds the reader of image submissions: `multipart/form-data` with a file field `image` (other fields are
 * parameters), a raw body with an image content type (parameters in the query string), or JSON
 * `{image: <base64 or data: URL>, ...parameters}` (see `decodeImageField`).
 */
export function createSubmissionReader(
  maxBytes: number,
  maxImages = 1,
): (req: Request, res: Response) => Promise<Submission> {
  const upload = multer({
    storage: multer.memoryStorage(),
    limits: { fileSize: maxBytes, files: maxImages, fields: 10, fieldSize: FIELD_MAX_BYTES, parts: 11 + maxImages },
  });
  // Several `image` parts only where bulk submission is accepted (POST /v1/jobs).
  const multipart = maxImages > 1 ? upload.array(IMAGE_FIELD, maxImages) : upload.single(IMAGE_FIELD);
  const tooMany = new AppError('VALIDATION_FAILED', `too many images: at most ${maxImages} in one submission`);
  const raw = express.raw({ type: () => true, limit: maxBytes });
  // base64 inflates by 4/3.
  const jsonLimit = Math.ceil((maxBytes * 4) / 3) + 64 * 1024;
  const json = express.json({ limit: jsonLimit });
  /** body-parser's 413 in the words of the upload it refused. */
  const tooLarge = (what: string) => (err: unknown) => {
    const e = err as { type?: string } | null;
    if (e?.type === 'entity.too.large') throw new AppError('PAYLOAD_TOO_LARGE', what);
    throw err;
  };

  return async (req, res) => {
    const query = { ...(req.query as Record<string, unknown>) };
    const type = (req.headers['content-type'] ?? '').toLowerCase();
    try {
      if (type.startsWith('multipart/form-data')) {
        await run(multipart, req, res).catch((err: unknown) => {
          const m = err as { code?: string; field?: string };
          if (maxImages > 1 && m.code === 'LIMIT_UNEXPECTED_FILE' && m.field === IMAGE_FIELD) throw tooMany;
          if (m.code === 'LIMIT_FILE_COUNT') throw tooMany;
          throw err;
        });
        const files = Array.isArray(req.files) ? req.files : [];
        if (files.length > 1) {
          const fields = { ...query, ...(req.body as Record<string, unknown>) };
          return { image: (files[0] as Express.Multer.File).buffer, images: files.map((f) => f.buffer), fields };
        }
        if (files.length === 1) req.file = files[0];
        if (!req.file) {
          const text = typeof (req.body as Record<string, unknown> | undefined)?.[IMAGE_FIELD] === 'string';
          throw new AppError(
            'VALIDATION_FAILED',
            text
              ? `multipart upload: the field "${IMAGE_FIELD}" holds text, not a file (curl: -F ${IMAGE_FIELD}=@digit.png)`
              : `multipart upload has no file field "${IMAGE_FIELD}"`,
          );
        }
        return { image: req.file.buffer, fields: { ...query, ...(req.body as Record<string, unknown>) } };
      }
      if (type.startsWith('application/json')) {
        await run(json, req, res).catch(
          tooLarge(
            `JSON body too large: limit ${describeLimit(jsonLimit)}, room for an image of up to ${describeLimit(maxBytes)} as base64`,
          ),
        );
        const { image, images, ...fields } = (req.body ?? {}) as Record<string, unknown>;
        if (maxImages > 1 && Array.isArray(images)) {
          if (images.length === 0 || images.length > maxImages) throw tooMany;
          const bytes = images.map((im, i) => {
            if (typeof im !== 'string' || im.length === 0) {
              throw new AppError('VALIDATION_FAILED', `images[${i}] must be base64 or a data: URL`);
            }
            return decodeImageField(im);
          });
          return { image: bytes[0] as Buffer, images: bytes, fields: { ...query, ...fields } };
        }
        if (typeof image !== 'string' || image.length === 0) {
          throw new AppError(
            'VALIDATION_FAILED',
            'JSON body needs "image" holding the file as base64 or a data: URL (data:image/png;base64,...)',
          );
        }
        return { image: decodeImageField(image), fields: { ...query, ...fields } };
      }
      if (type.startsWith('image/') || type.startsWith('application/octet-stream')) {
        await run(raw, req, res).catch(tooLarge(`upload too large: limit ${describeLimit(maxBytes)}`));
        const body = req.body as unknown;
        if (!Buffer.isBuffer(body) || body.length === 0) throw new AppError('IMAGE_EMPTY', 'request body is empty');
        return { image: body, fields: query };
      }
    } catch (err) {
      throw uploadError(err, maxBytes) ?? err;
    }
    throw new AppError(
      'UNSUPPORTED_MEDIA_TYPE',
      `send multipart/form-data with a file field "image", a raw image body (image/*), or JSON; got "${type || 'none'}"`,
    );
  };
}
