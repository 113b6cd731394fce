import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from './render';

// Builds every image with podman, runs the compose stack, predicts through the gateway container and checks a
// clean SIGTERM shutdown (docker/test-containers.sh). Minutes of CPU and a podman install, so it is opt-in.
const enabled = process.env['RUN_CONTAINER_TESTS'] === '1';
const run = enabled ? it : it.skip;
const title = enabled
  ? 'builds every image, answers a prediction through the compose stack and stops every container cleanly'
  : 'container end-to-end test (skipped: set RUN_CONTAINER_TESTS=1 to build the images and run the compose stack)';

describe('pnpm test:containers', () => {
  run(
    title,
    () => {
      const r = spawnSync('bash', [path.join(ROOT, 'docker/test-containers.sh')], {
        cwd: ROOT,
        // `pnpm test:containers` refreshes reports/containers.json; under jest only with REPORTS=1.
        env: {
          ...process.env,
          ...(process.env['REPORTS'] === '1'
            ? {}
            : { CONTAINERS_REPORT: path.join(os.tmpdir(), `containers-${process.pid}.json`) }),
        },
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: 40 * 60 * 1000,
      });
      const output = `${r.stdout ?? ''}${r.stderr ?? ''}`;
      if (r.status !== 0) throw new Error(`test-containers.sh exited ${r.status ?? r.signal}:\n${output.slice(-6000)}`);
      expect(output).toMatch(/PASS: images built, stack answered a prediction, every container stopped cleanly/);
    },
    45 * 60 * 1000,
  );
});
