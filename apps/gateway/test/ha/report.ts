import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { reportsRequested } from '@mserve/common';
import { ROOT } from '@mserve/testkit';

/**
 * Writes `reports/<name>.json` and a short `reports/<name>.md` of the measured numbers, only with `REPORTS=1`
 * (a plain `pnpm test:ha` leaves the committed reports alone).
 */
export function writeHaReport(name: string, data: Record<string, unknown>, markdown: string): void {
  if (!reportsRequested()) return;
  const dir = path.join(ROOT, 'reports');
  mkdirSync(dir, { recursive: true });
  const command = `REPORTS=1 pnpm test:ha ${path.relative(ROOT, expect.getState().testPath ?? '')}`;
  const json = { measuredAt: new Date().toISOString(), command, machine: machineNote(), ...data };
  writeFileSync(path.join(dir, `${name}.json`), `${JSON.stringify(json, null, 2)}\n`);
  writeFileSync(path.join(dir, `${name}.md`), `${markdown.trim()}\n\nMeasured by \`${command}\`.\n`);
}

function machineNote(): string {
  return `${os.cpus().length} cores, load average ${os.loadavg()[0]?.toFixed(2)} at the end`;
}
