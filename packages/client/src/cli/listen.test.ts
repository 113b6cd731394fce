import { randomBytes } from 'node:crypto';
import { signWebhook } from '../signing';
import { runCli } from '../cli';

function io(signal?: AbortSignal) {
  let out = '';
  let err = '';
  return {
    io: {
      out: { write: (t: string) => (out += t) },
      err: { write: (t: string) => (err += t), isTTY: false },
      env: {},
      ...(signal ? { signal } : {}),
    },
    out: () => out,
    err: () => err,
  };
}

async function listeningUrl(err: () => string): Promise<string> {
  for (let i = 0; i < 200; i++) {
    const m = /listening on (\S+)/.exec(err());
    if (m) return m[1] ?? '';
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`listen did not start: ${err()}`);
}

const secret = `whsec_${randomBytes(24).toString('base64')}`;
const job = {
  id: 'job-1',
  status: 'completed',
  result: { prediction: 7, uncertainty: { reliability: 0.97, predictionSet: [7], outOfDistribution: { flag: false } } },
};

function post(url: string, body: string, headers: Record<string, string>): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
}

describe('pnpm cli listen', () => {
  it('verifies each delivery, answers 204 and prints it as a JSON line; a bad signature gets 401 and is reported', async () => {
    const t = io();
    const running = runCli(['listen', '--port', '0', '--secret', secret, '--json', '--count', '2'], t.io);
    const url = await listeningUrl(t.err);
    const body = JSON.stringify({ type: 'job.completed', timestamp: new Date().toISOString(), data: job });
    const now = Math.floor(Date.now() / 1000);

    const good = await post(url, body, signWebhook('msg_completed_job-1', now, body, [secret]));
    expect(good.status).toBe(204);
    const forged = signWebhook('msg_completed_job-1', now, body, [`whsec_${randomBytes(24).toString('base64')}`]);
    const bad = await post(url, body, forged);
    expect(bad.status).toBe(401);
    expect(await bad.text()).toMatch(/bad-signature/);
    const stale = await post(url, body, signWebhook('msg_completed_job-1', now - 3600, body, [secret]));
    expect(stale.status).toBe(401);
    const again = await post(url, body, signWebhook('msg_completed_job-1', now, body, [secret]));
    expect(again.status).toBe(204);

    expect(await running).toBe(0);
    const lines = t
      .out()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => [l['verified'], l['rejected'] === undefined])).toEqual([
      [true, true],
      [false, false],
      [false, false],
      [true, true],
    ]);
    expect(lines[0]).toMatchObject({ id: 'msg_completed_job-1', payload: { type: 'job.completed', data: job } });
    expect(t.err()).toMatch(/rejected with 401: bad-signature/);
    expect(t.err()).toMatch(/rejected with 401: stale-timestamp/);
  });

  it('prints one readable line per delivery and stops cleanly when aborted (Ctrl-C)', async () => {
    const stop = new AbortController();
    const t = io(stop.signal);
    const running = runCli(['listen', '--port', '0'], t.io);
    const url = await listeningUrl(t.err);
    expect(t.err()).toMatch(/signatures NOT checked/);
    const body = JSON.stringify({ type: 'job.completed', data: job });
    expect((await post(url, body, { 'webhook-id': 'msg_completed_job-1' })).status).toBe(204);
    expect((await post(url, 'not json', {})).status).toBe(400);
    stop.abort();
    expect(await running).toBe(0);
    expect(t.out()).toMatch(
      /job\.completed job job-1 \(msg_completed_job-1, unverified\) prediction 7, reliability 97\.0%, set \{7\}\n$/,
    );
  });
});
