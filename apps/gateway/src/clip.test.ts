import { clip } from './clip';

describe('clip', () => {
  it('keeps text up to 64 characters and cuts longer text to 64 plus an ellipsis', () => {
    expect(clip('a'.repeat(64))).toBe('a'.repeat(64));
    expect(clip('a'.repeat(5000))).toBe(`${'a'.repeat(64)}…`);
    expect(clip('abcdef', 3)).toBe('abc…');
  });
});
