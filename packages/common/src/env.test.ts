import { env, parseEnv, describeEnv } from './env';
import { AppError } from './errors';

const spec = {
  PORT: env.int({ doc: 'HTTP port', default: 8080, min: 1, max: 65535 }),
  BATCH_MAX_WAIT_MS: env.int({ doc: 'longest wait to fill a batch', unit: 'ms', default: 5, min: 0 }),
  REDIS_URL: env.str({ doc: 'Redis connection URL' }),
  DEBUG: env.bool({ doc: 'debug', default: false }),
  MODE: env.oneOf(['a', 'b'] as const, { doc: 'mode', default: 'a' }),
};

describe('parseEnv', () => {
  it('applies defaults and parses provided values into typed fields', () => {
    const cfg = parseEnv(spec, { REDIS_URL: 'redis://x', BATCH_MAX_WAIT_MS: '12', DEBUG: 'yes' });
    expect(cfg).toEqual({ PORT: 8080, BATCH_MAX_WAIT_MS: 12, REDIS_URL: 'redis://x', DEBUG: true, MODE: 'a' });
  });

  it('lists every bad variable in one error instead of stopping at the first', () => {
    let caught: unknown;
    try {
      parseEnv(spec, { PORT: '0', BATCH_MAX_WAIT_MS: '1.5', DEBUG: 'maybe', MODE: 'c' });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(AppError);
    const err = caught as AppError;
    expect(err.code).toBe('CONFIG_INVALID');
    for (const name of ['PORT', 'BATCH_MAX_WAIT_MS', 'REDIS_URL', 'DEBUG', 'MODE']) {
      expect(err.message).toContain(name);
    }
  });

  it('documents each variable with its default and unit', () => {
    const table = describeEnv(spec);
    expect(table).toContain('| `BATCH_MAX_WAIT_MS` | `5` | ms |');
    expect(table).toContain('| `REDIS_URL` | (required) |');
  });
});
