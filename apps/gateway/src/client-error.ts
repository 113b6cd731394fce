import http from 'node:http';
import type { Duplex } from 'node:stream';
import { AppError, type Logger } from '@mserve/common';

/** How long a refused client may keep sending (the rest of its oversized head) before its socket is destroyed. */
const DRAIN_MS = 2000;

/** A complete HTTP/1.1 response with a JSON body, closing the connection. */
function rawResponse(status: number, body: unknown): string {
  const json = JSON.stringify(body);
  return (
    `HTTP/1.1 ${status} ${http.STATUS_CODES[status] ?? ''}\r\n` +
    'Content-Type: application/json; charset=utf-8\r\n' +
    `Content-Length: ${Buffer.byteLength(json)}\r\n` +
    'Connection: close\r\n\r\n' +
    json
  );
}

/**
 * The http server's `clientError` handler: a request Node's parser refused before Express saw it. Headers over
 * Node's limit get `431 HEADERS_TOO_LARGE` and any other malformed request `400 BAD_REQUEST`, both with the usual
 * JSON error body. The socket is ended (not destroyed) and drained for a moment: destroying it with the client's
 * unread bytes in the buffer makes the kernel reset the connection, and the client then loses the answer.
 */
export function answerClientError(err: NodeJS.ErrnoException, socket: Duplex, logger: Logger): void {
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    // Node's own answer to a client too slow to send its request; no body anyone would read.
    socket.end('HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n');
    return;
  }
  const appErr =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? new AppError('HEADERS_TOO_LARGE', `request headers too large: at most ${http.maxHeaderSize} bytes in all`)
      : new AppError('BAD_REQUEST', `malformed HTTP request (${err.code ?? err.message})`);
  logger.debug({ code: err.code, status: appErr.status }, 'refused a request the HTTP parser could not read');
  socket.end(rawResponse(appErr.status, appErr.toBody()));
  socket.on('error', () => undefined);
  socket.resume();
  setTimeout(() => socket.destroy(), DRAIN_MS).unref();
}
