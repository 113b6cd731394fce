import { readFileSync, readdirSync, existsSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from './render';

interface PackageJson {
  name: string;
  dependencies?: Record<string, string>;
}

const projects = ['apps', 'packages'].flatMap((group) =>
  readdirSync(path.join(ROOT, group))
    .map((d) => path.join(group, d))
    .filter((d) => existsSync(path.join(ROOT, d, 'package.json')) && existsSync(path.join(ROOT, d, 'tsconfig.json'))),
);

/** tsconfig files are JSON without comments here; strip trailing commas defensively. */
function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(path.join(ROOT, file), 'utf8').replace(/,(\s*[}\]])/g, '$1')) as T;
}

describe('pnpm build (tsc -b tsconfig.build.json)', () => {
  it('builds every app and package', () => {
    const refs = readJson<{ references: { path: string }[] }>('tsconfig.build.json').references.map((r) => r.path);
    expect([...refs].sort()).toEqual([...projects].sort());
  });

  // Runtime dependencies only: a devDependency is for tests, which the build excludes (src/**/*.test.ts).
  it.each(projects)('%s references the project of every workspace package it needs at run time', (dir) => {
    const pkg = readJson<PackageJson>(path.join(dir, 'package.json'));
    const deps = Object.entries(pkg.dependencies ?? {})
      .filter(([, v]) => v.startsWith('workspace:'))
      .map(([name]) => `packages/${name.replace('@mserve/', '')}`);
    const tsconfig = readJson<{ references?: { path: string }[] }>(path.join(dir, 'tsconfig.json'));
    const refs = (tsconfig.references ?? []).map((r) => path.join(dir, r.path));
    expect(deps.filter((d) => !refs.includes(d))).toEqual([]);
  });
});
