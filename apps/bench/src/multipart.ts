import { randomBytes } from 'node:crypto';

/** A ready-to-send multipart/form-data body; built once so the load generator spends no CPU encoding. */
export interface MultipartBody {
  body: Buffer;
  contentType: string;
}

/**
 * Encodes one file field plus plain text fields. The load tools replay the same bytes for every request, which
 * is what a fixed-payload benchmark wants and keeps the generator's cost out of the measurement.
 */
export function multipart(
  file: { field: string; filename: string; mime: string; data: Buffer },
  fields: Record<string, string> = {},
): MultipartBody {
  const boundary = `----bench${randomBytes(8).toString('hex')}`;
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(fields)) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  }
  parts.push(
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="${file.field}"; filename="${file.filename}"\r\n` +
        `Content-Type: ${file.mime}\r\n\r\n`,
    ),
    file.data,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  );
  return { body: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}
