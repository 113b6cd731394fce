// Quality gate over `pnpm eval`: fails the pipeline when any target in reports/eval.json is missed, printing every
// target with its value, bar and margin. A model or calibration change that degrades the uncertainty engine
// stops here, before an image is built or pushed.
const fs = require('node:fs');
const path = require('node:path');

const file = path.resolve(process.argv[2] || 'reports/eval.json');
if (!fs.existsSync(file)) {
  process.stderr.write(`eval-gate: ${file} not found (run pnpm eval first)\n`);
  process.exit(1);
}
const report = JSON.parse(fs.readFileSync(file, 'utf8'));
const targets = Array.isArray(report.targets) ? report.targets : [];
if (targets.length === 0) {
  process.stderr.write(`eval-gate: ${file} lists no targets\n`);
  process.exit(1);
}
const lines = ['| target | value | bar | met | margin |', '| --- | --- | --- | --- | --- |'];
for (const t of targets) {
  const value = typeof t.value === 'number' ? t.value.toFixed(4) : String(t.value);
  const margin = typeof t.margin === 'number' ? t.margin.toFixed(4) : '';
  lines.push(`| ${t.name} | ${value} | ${t.target} | ${t.met ? 'yes' : 'NO'} | ${margin} |`);
}
const summary = `### Eval gate (${report.command || 'pnpm eval'})\n\n${lines.join('\n')}\n`;
process.stdout.write(summary);
if (process.env.GITHUB_STEP_SUMMARY) fs.appendFileSync(process.env.GITHUB_STEP_SUMMARY, summary);
const missed = targets.filter((t) => !t.met);
if (missed.length > 0) {
  process.stderr.write(`eval-gate: ${missed.length} target(s) missed: ${missed.map((t) => t.name).join('; ')}\n`);
  process.exit(1);
}
