import express from 'express';
import multer from 'multer';
import type { AddressInfo } from 'node:net';

/**
 * The ceiling: a bare Express server that accepts the same multipart upload the gateway does and answers a small
 * JSON, with no validation, preprocessing, queue or model. Whatever this reaches on this machine bounds the service.
 * Run as its own process (see echo-main.ts) so it never shares an event loop with the load generator.
 */
export function createEchoApp(): express.Express {
  const app = express();
  const upload = multer({ storage: multer.memoryStorage(), limits: { fileSize: 10 * 1024 * 1024 } });
  app.post('/echo', upload.single('image'), (req, res) => {
    res.json({ bytes: req.file?.size ?? 0 });
  });
  app.get('/healthz', (_req, res) => {
    res.json({ ok: true });
  });
  return app;
}

/** Starts the echo app on an ephemeral loopback port and reports the port on stdout as one JSON line. */
export function runEchoServer(): void {
  const server = createEchoApp().listen(Number(process.env['PORT'] ?? 0), '127.0.0.1', () => {
    const { port } = server.address() as AddressInfo;
    process.stdout.write(`${JSON.stringify({ port })}\n`);
  });
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
}
