import { resolveAssetsDir } from './assets';

describe('resolveAssetsDir', () => {
  it('fails with one line naming ASSETS_DIR when the folder is absent', () => {
    expect(() => resolveAssetsDir('/nonexistent/assets')).toThrow(/^ASSETS_DIR: .*\/nonexistent\/assets/);
  });

  it('resolves an existing folder to an absolute path', () => {
    expect(resolveAssetsDir(__dirname)).toBe(__dirname);
  });
});
