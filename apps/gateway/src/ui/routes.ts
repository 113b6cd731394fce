import path from 'node:path';
import { AppError } from '@mserve/common';
import express, { Router } from 'express';
import { clip } from '../clip';
import { methodNotAllowed } from '../routes/method-not-allowed';
import { listSamples, samplesDir, SAMPLE_NAME_RE } from './samples';
import { htmlSecurityHeaders } from './security-headers';

/** The gateway's static pages (`apps/gateway/static`): the same two levels up from `src/ui` and `dist/ui`. */
export const STATIC_DIR = path.resolve(__dirname, '../../static');

/** Swagger UI's own files, from its npm package (served as they are: no CDN, no copy in this repository). */
export function swaggerUiDir(): string {
  return path.dirname(require.resolve('swagger-ui-dist/package.json'));
}

const SAMPLES_URL = '/playground/samples';

/**
 * The pages for people: the playground at `/` (plain HTML, CSS and JS, no build step) with the gallery of shared
 * sample images, and the interactive API reference at `/docs` (Swagger UI driven by `/docs/openapi.json`). Every
 * response carries the HTML pages' security headers.
 */
export function uiRouter(): Router {
  const router = Router();
  const headers = htmlSecurityHeaders();
  const pages = path.join(STATIC_DIR, 'playground');
  const dir = samplesDir();
  // Static files: no directory listings, no dotfiles; a short cache (the files change only with a deploy).
  const staticOpts = { index: false, dotfiles: 'ignore', maxAge: '5m', fallthrough: true } as const;

  router
    .route('/')
    .get(headers, (_req, res) => res.sendFile(path.join(pages, 'index.html')))
    .all(methodNotAllowed);
  router.get(`${SAMPLES_URL}.json`, headers, async (_req, res) => {
    res.json({ images: await listSamples(dir, SAMPLES_URL) });
  });
  router.get(`${SAMPLES_URL}/:name`, headers, (req, res, next) => {
    const name = String(req.params['name']);
    if (!dir || !SAMPLE_NAME_RE.test(name)) return next(new AppError('NOT_FOUND', `no sample ${clip(name)}`));
    // `root` keeps the file inside the folder whatever the name says.
    res.sendFile(name, { root: dir, dotfiles: 'deny' }, (err) => {
      if (err && !res.headersSent) next(new AppError('NOT_FOUND', `no sample ${clip(name)}`));
    });
  });
  router.use('/playground', headers, express.static(pages, staticOpts));

  router
    .route('/docs')
    .get(headers, (_req, res) => res.sendFile(path.join(STATIC_DIR, 'docs', 'index.html')))
    .all(methodNotAllowed);
  router.use('/docs/assets', headers, express.static(path.join(STATIC_DIR, 'docs'), staticOpts));
  router.use('/docs/swagger-ui', headers, express.static(swaggerUiDir(), { ...staticOpts, maxAge: '1d' }));
  return router;
}
