import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AppError } from '@mserve/common';
import express, { type ErrorRequestHandler } from 'express';
import request from 'supertest';
import { adminRouter } from './queue-dashboard';
import { uiRouter } from './routes';
import { listSamples } from './samples';
import { HTML_CSP, htmlSecurityHeaders } from './security-headers';

/** The UI routes in an app with the gateway's error shape. */
function app(...routers: express.RequestHandler[]) {
  const a = express();
  for (const r of routers) a.use(r);
  const onError: ErrorRequestHandler = (err: AppError, _req, res, _next) => {
    res.status(err.status ?? 500).json({ error: { code: err.code } });
  };
  a.use(onError);
  return a;
}

const expectPageHeaders = (res: request.Response) => {
  expect(res.headers['content-security-policy']).toBe(HTML_CSP);
  expect(res.headers['x-content-type-options']).toBe('nosniff');
  expect(res.headers['x-frame-options']).toBe('DENY');
  expect(res.headers['referrer-policy']).toBe('no-referrer');
};

describe('the pages for people', () => {
  const ui = app(uiRouter());

  it('serve the playground at / with its script and styles, and the security headers', async () => {
    const page = await request(ui).get('/');
    expect(page.status).toBe(200);
    expect(page.type).toBe('text/html');
    expectPageHeaders(page);
    // Nothing from another origin: every script and stylesheet is one of the gateway's own paths.
    const srcs = [...page.text.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(srcs.filter((s) => /^(https?:)?\/\//.test(s))).toEqual([]);
    for (const s of srcs.filter((x) => x.startsWith('/playground/'))) {
      expect([s, (await request(ui).get(s)).status]).toEqual([s, 200]);
    }
  });

  it('serve /docs as Swagger UI from its npm package, pointed at /docs/openapi.json', async () => {
    const page = await request(ui).get('/docs');
    expect(page.status).toBe(200);
    expectPageHeaders(page);
    expect(page.text).toContain('/docs/swagger-ui/swagger-ui-bundle.js');
    const bundle = await request(ui).get('/docs/swagger-ui/swagger-ui-bundle.js');
    expect(bundle.status).toBe(200);
    expect(bundle.type).toMatch(/javascript/);
    expect((await request(ui).get('/docs/assets/init.js')).text).toContain("url: '/docs/openapi.json'");
  });

  it('list the shared sample images and serve only files of that folder', async () => {
    const list = await request(ui).get('/playground/samples.json');
    expect(list.status).toBe(200);
    const names = (list.body.images as Array<{ name: string; url: string }>).map((i) => i.name);
    expect(names).toEqual(expect.arrayContaining(['3.png', 'colour_320_240.png']));
    const img = await request(ui).get('/playground/samples/3.png');
    expect(img.status).toBe(200);
    expect(img.type).toBe('image/png');
    for (const bad of ['..%2F..%2Fpackage.json', '.hidden.png', 'nope.png', 'README.md']) {
      expect([bad, (await request(ui).get(`/playground/samples/${bad}`)).status]).toEqual([bad, 404]);
    }
  });

  it('sort gallery entries by name with numbers in numeric order, and show an empty gallery without a folder', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'samples-'));
    for (const f of ['172.png', '3.png', 'notes.txt', 'b.JPG']) writeFileSync(path.join(dir, f), '');
    expect((await listSamples(dir, '/s')).map((s) => s.url)).toEqual(['/s/3.png', '/s/172.png', '/s/b.JPG']);
    expect(await listSamples(null, '/s')).toEqual([]);
  });
});

describe('the admin pages', () => {
  const dashboard: express.RequestHandler = (_req, res) => {
    res.send('dashboard');
  };

  it('serve the dashboard at /admin/queues to everyone when no guard is given, with the security headers', async () => {
    const res = await request(app(adminRouter(dashboard, undefined, htmlSecurityHeaders()))).get('/admin/queues');
    expect(res.text).toBe('dashboard');
    expectPageHeaders(res);
  });

  it('run the admin guard first, so a guard that refuses keeps the dashboard shut', async () => {
    const guard: express.RequestHandler = (_req, _res, next) => next(new AppError('UNAUTHORIZED', 'no'));
    const res = await request(app(adminRouter(dashboard, guard))).get('/admin/queues');
    expect(res.text).not.toBe('dashboard');
    expect(res.status).toBe(401);
  });

  it('serve nothing at /admin/queues when the dashboard is off (ADMIN_UI=false)', async () => {
    expect((await request(app(adminRouter(undefined))).get('/admin/queues')).status).toBe(404);
  });
});
