import { parsePrefer, preferenceApplied } from './prefer';

describe('Prefer (RFC 7240)', () => {
  it('reads respond-async and wait=N, case-insensitive, across headers and commas, ignoring the unknown', () => {
    expect(parsePrefer('respond-async', 30)).toEqual({ respondAsync: true });
    expect(parsePrefer('Wait=5', 30)).toEqual({ respondAsync: false, waitS: 5 });
    expect(parsePrefer(['return=minimal', 'respond-async, wait=10'], 30)).toEqual({ respondAsync: true, waitS: 10 });
    expect(parsePrefer('handling=lenient', 30)).toEqual({ respondAsync: false });
    expect(parsePrefer(undefined, 30)).toEqual({ respondAsync: false });
  });

  it('caps wait at the longest wait allowed and echoes what it honoured', () => {
    const prefs = parsePrefer('respond-async, wait=600', 30);
    expect(prefs.waitS).toBe(30);
    expect(preferenceApplied(prefs)).toBe('respond-async, wait=30');
    expect(preferenceApplied({ respondAsync: false })).toBeUndefined();
  });

  it('refuses a wait that is no whole number of seconds with a 400', () => {
    for (const bad of ['wait', 'wait=', 'wait=-1', 'wait=2.5', 'wait=soon']) {
      expect(() => parsePrefer(bad, 30)).toThrow(/Prefer: wait/);
    }
  });
});
