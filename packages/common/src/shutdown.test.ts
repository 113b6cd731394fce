import { EventEmitter } from 'node:events';
import { createLogger } from './logger';
import { installShutdown } from './shutdown';

const logger = createLogger('test', 'silent');

function setup(close: () => Promise<void>, timeoutMs = 1000, onClosed?: () => Promise<void>) {
  const signals = new EventEmitter();
  const codes: number[] = [];
  let exited!: () => void;
  const done = new Promise<void>((resolve) => (exited = resolve));
  const calls = { close: 0 };
  installShutdown(
    {
      close: () => {
        calls.close++;
        return close();
      },
    },
    logger,
    {
      timeoutMs,
      ...(onClosed ? { onClosed } : {}),
      signals,
      exit: (code) => {
        codes.push(code);
        exited();
      },
    },
  );
  return { signals, codes, done, calls };
}

describe('installShutdown', () => {
  it('closes once on SIGTERM, runs onClosed after the close, and exits 0', async () => {
    const order: string[] = [];
    const s = setup(
      async () => {
        order.push('close');
      },
      1000,
      async () => {
        order.push('onClosed');
      },
    );
    s.signals.emit('SIGTERM');
    s.signals.emit('SIGINT');
    await s.done;
    expect(order).toEqual(['close', 'onClosed']);
    expect(s.calls.close).toBe(1);
    expect(s.codes).toEqual([0]);
  });

  it('exits 1 when the close fails', async () => {
    const s = setup(() => Promise.reject(new Error('boom')));
    s.signals.emit('SIGINT');
    await s.done;
    expect(s.codes).toEqual([1]);
  });

  it('exits 1 when the close outlasts the timeout', async () => {
    const s = setup(() => new Promise<void>(() => undefined), 20);
    s.signals.emit('SIGTERM');
    await s.done;
    expect(s.codes).toEqual([1]);
  });
});
