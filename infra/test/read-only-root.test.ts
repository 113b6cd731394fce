import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { ROOT } from './render';

// A compromised or buggy process cannot rewrite its own image: every compose container's root filesystem is
// read-only, and what it may write (Redis data, calibration artifacts, /tmp) is a volume or a tmpfs. (The k8s
// manifests' readOnlyRootFilesystem is checked in k8s.test.ts.)
describe('docker/compose.yaml', () => {
  it('runs every service with read_only and an in-memory /tmp', () => {
    const doc = parse(readFileSync(path.join(ROOT, 'docker/compose.yaml'), 'utf8'), { merge: true }) as {
      services: Record<string, { read_only?: boolean; tmpfs?: string[] }>;
    };
    const services = Object.entries(doc.services);
    expect(services.length).toBeGreaterThanOrEqual(5);
    for (const [name, svc] of services) {
      expect({ [name]: svc.read_only }).toEqual({ [name]: true });
      expect({ [name]: svc.tmpfs }).toEqual({ [name]: ['/tmp'] });
    }
  });
});
