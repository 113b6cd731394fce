import path from 'node:path';
import { runCli } from './cli';

function io() {
  let out = '';
  let err = '';
  return {
    io: {
      out: { write: (t: string) => (out += t) },
      err: { write: (t: string) => (err += t), isTTY: false },
      env: {},
    },
    out: () => out,
    err: () => err,
  };
}

describe('pnpm cli', () => {
  it('prints usage for --help and exits 0', async () => {
    const t = io();
    expect(await runCli(['--help'], t.io)).toBe(0);
    expect(t.out()).toMatch(/^Usage: pnpm cli <command>/);
  });

  it('exits 1 naming the problem for an unknown command, a missing argument or a missing file', async () => {
    const t = io();
    expect(await runCli(['frobnicate'], t.io)).toBe(1);
    expect(await runCli(['predict'], t.io)).toBe(1);
    expect(await runCli(['predict', '/nonexistent/x.png'], t.io)).toBe(1);
    expect(t.err()).toContain('unknown command "frobnicate"');
    expect(t.err()).toContain('error: predict needs at least one file or folder');
    expect(t.err()).toContain('error: no such file or folder: /nonexistent/x.png');
  });

  it('stops with exit 1 and a NETWORK error when the gateway cannot be reached', async () => {
    const t = io();
    const code = await runCli(['predict', path.join(__dirname, 'cli'), '--url', 'http://127.0.0.1:1'], t.io);
    // The folder holds no images: that is reported before any request is made.
    expect(code).toBe(1);
    expect(t.err()).toContain('no images found');
    const t2 = io();
    expect(await runCli(['predict', __filename, '--url', 'http://127.0.0.1:1'], t2.io)).toBe(1);
    expect(t2.err()).toMatch(/^error: NETWORK: POST \/v1\/predict/);
    expect(t2.out()).toBe('');
  });

  it('refuses a --webhook-scope other than image or batch before sending anything', async () => {
    const t = io();
    const args = ['submit', __filename, __filename, '--webhook-scope', 'all', '--url', 'http://127.0.0.1:1'];
    expect(await runCli(args, t.io)).toBe(1);
    expect(t.err()).toContain('--webhook-scope must be image or batch');
  });
});
