import { parseParams, wantsInput } from './params';

const defaults = { samples: 30, alpha: 0.05 };

describe('parseParams', () => {
  it('applies the configured defaults when nothing is given', () => {
    expect(parseParams({}, defaults)).toEqual({ samples: 30, alpha: 0.05 });
  });

  it('converts query-string numbers and keeps explicit values', () => {
    expect(parseParams({ samples: '100', alpha: '0.1' }, defaults)).toEqual({ samples: 100, alpha: 0.1 });
  });

  it.each([
    [{ samples: '0' }, 'samples'],
    [{ samples: '1001' }, 'samples'],
    [{ samples: '2.5' }, 'samples'],
    [{ alpha: '0' }, 'alpha'],
    [{ alpha: '1' }, 'alpha'],
    [{ colour: 'red' }, 'colour'],
    [{ webhook: '{not json' }, 'webhook'],
    [{ webhook: { url: 'https://x.example', events: ['done'] } }, 'webhook'],
  ])('rejects %j with a 400 naming the field', (raw, field) => {
    expect(() => parseParams(raw, defaults)).toThrow(
      expect.objectContaining({ code: 'VALIDATION_FAILED', message: expect.stringContaining(field) }),
    );
  });

  it('accepts a webhook as an object or as JSON text and defaults its events to every outcome', () => {
    const url = 'https://hooks.example.com/x';
    expect(parseParams({ webhook: { url } }, defaults).webhook).toEqual({
      url,
      events: ['completed', 'failed', 'canceled', 'expired'],
    });
    expect(parseParams({ webhook: JSON.stringify({ url, events: ['failed'] }) }, defaults).webhook).toEqual({
      url,
      events: ['failed'],
    });
  });
});

describe('wantsInput', () => {
  it('is true for include=input, false when absent or empty, and a 400 for anything else', () => {
    expect(wantsInput('input')).toBe(true);
    expect(wantsInput(undefined)).toBe(false);
    expect(wantsInput('')).toBe(false);
    expect(() => wantsInput('tensor')).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
    expect(() => wantsInput(['input', 'input'])).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
  });

  it('takes an empty form field for one not given', () => {
    expect(parseParams({ samples: '', deadline: '', webhook: '', include: '' }, defaults)).toEqual(defaults);
  });

  it('lets include pass the parameter validation of a submission', () => {
    expect(parseParams({ include: 'input' }, defaults)).toEqual(defaults);
    expect(() => parseParams({ include: 'everything' }, defaults)).toThrow(/include/);
  });
});
