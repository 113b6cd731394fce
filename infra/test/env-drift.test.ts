import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { type K8sObject, ROOT, ofKind, podTemplate, render } from './render';

/** Every non-test TypeScript file under a folder. */
function sources(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir)) {
    const p = path.join(dir, e);
    if (statSync(p).isDirectory()) out.push(...sources(p));
    else if (p.endsWith('.ts') && !p.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

/**
 * Environment variables the code reads: names declared in an env spec (`NAME: env.int(...)`, `NAME: {` or
 * `NAME: someVar(`) and direct `process.env` reads, in every app and package, plus the container scripts'.
 */
function variablesTheCodeReads(): Set<string> {
  const names = new Set<string>();
  const files = ['apps', 'packages'].flatMap((g) =>
    readdirSync(path.join(ROOT, g))
      .map((d) => path.join(ROOT, g, d, 'src'))
      .filter((d) => statSync(d, { throwIfNoEntry: false })?.isDirectory())
      .flatMap(sources),
  );
  files.push(path.join(ROOT, 'docker/healthcheck.js'), path.join(ROOT, 'docker/calibrate-if-missing.js'));
  for (const f of files) {
    const text = readFileSync(f, 'utf8');
    for (const m of text.matchAll(/^\s+([A-Z][A-Z0-9_]+): (?:env\.|\{|\.\.\.env\.|[a-zA-Z]+\()/gm))
      names.add(m[1] ?? '');
    for (const m of text.matchAll(/process\.env(?:\[['"]|\.)([A-Z][A-Z0-9_]+)/g)) names.add(m[1] ?? '');
  }
  return names;
}

interface ComposeService {
  build?: unknown;
  environment?: Record<string, string>;
}

describe('configuration handed to the processes', () => {
  const known = variablesTheCodeReads();
  // Read by the runtime or the base image rather than by this code base.
  const external = new Set(['NODE_ENV']);

  it('finds the variables the code reads (sanity: the scan is not empty)', () => {
    for (const v of ['REDIS_URL', 'PORT', 'WORKER_HTTP_PORT', 'NOTIFIER_HTTP_PORT', 'SHUTDOWN_TIMEOUT_MS']) {
      expect(known).toContain(v);
    }
  });

  it('sets in docker/compose.yaml only variables some process reads', () => {
    const doc = parse(readFileSync(path.join(ROOT, 'docker/compose.yaml'), 'utf8'), { merge: true }) as {
      services: Record<string, ComposeService>;
    };
    const unknown: string[] = [];
    for (const [name, svc] of Object.entries(doc.services)) {
      if (!svc.build) continue; // only the images built from docker/Dockerfile
      for (const v of Object.keys(svc.environment ?? {})) {
        if (!known.has(v) && !external.has(v)) unknown.push(`${name}: ${v}`);
      }
    }
    expect(unknown).toEqual([]);
  });

  it.each(['dev', 'prod'])('sets in the %s manifests only variables some process reads', (overlay) => {
    const objects: K8sObject[] = render(`overlays/${overlay}`);
    const unknown: string[] = [];
    for (const cm of ofKind(objects, 'ConfigMap').filter((c) => c.metadata.name === 'mserve-config')) {
      for (const v of Object.keys(cm.data ?? {})) if (!known.has(v)) unknown.push(`ConfigMap: ${v}`);
    }
    for (const o of objects) {
      for (const c of podTemplate(o)?.spec.containers ?? []) {
        if (!c.image.includes('mserve-')) continue;
        for (const e of c.env ?? [])
          if (!known.has(e.name) && !external.has(e.name)) unknown.push(`${c.name}: ${e.name}`);
      }
    }
    expect(unknown).toEqual([]);
  });
});
