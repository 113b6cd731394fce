import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** The parts of reports/client-e2e.json the README quotes. */
interface ClientE2e {
  command: string;
  measuredAt: string;
  readmeExample?: { request: string; response: ExampleJob };
  sharedImages?: SharedImage[];
}

/** One shared image: what the service answered, or why it refused it. */
type SharedImage = { file: string; mnistTestIndex: number | null; trueLabel: number | null } & (
  | {
      prediction: number;
      probability: number;
      reliability: number;
      reliable: boolean;
      predictionSet: number[];
      outOfDistribution: boolean;
    }
  | { error: { status: number; code: string } }
);

interface ExampleJob {
  id: string;
  status: string;
  model: { name: string; digest: string };
  result: {
    prediction: number;
    probabilities: number[];
    rawProbabilities?: number[];
    uncertainty: Record<string, unknown> & { outOfDistribution: { score: number; flag: boolean } };
  };
  timings: Record<string, number>;
}

function read(reportsDir: string): ClientE2e | undefined {
  const file = path.join(reportsDir, 'client-e2e.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as ClientE2e) : undefined;
}

const MISSING = 'report missing: run `REPORTS=1 pnpm jest packages/client/test/e2e.test.ts`';
const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
/** Two decimals, without a trailing `.00` noise: 0.98, 0, 0.01. */
const r2 = (x: number): number => Math.round(x * 100) / 100;
const r3 = (x: number): number => Number(x.toPrecision(3));

function describeFile(f: SharedImage): string {
  if (f.trueLabel !== null) return `MNIST test image #${f.mnistTestIndex}, a handwritten ${f.trueLabel}`;
  const size = /_(\d+)_(\d+)\./.exec(f.file);
  const what = f.file.startsWith('colour') ? 'a colour picture' : 'a grayscale picture';
  return `${what}${size ? ` (${size[1]}x${size[2]})` : ''}, not a digit`;
}

/** The README's table of what the service answers for each file of `$ASSETS_DIR/data/images`. */
export function sharedImagesSection(reportsDir: string): string {
  const e = read(reportsDir);
  if (!e?.sharedImages) return MISSING;
  const lines = [
    `From \`${e.command}\` (reports/client-e2e.json, ${e.measuredAt}); the test checks every digit against its MNIST label.`,
    '',
    '| file | what it is | answer | probability | reliability | reliable | prediction set | out of distribution |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const f of e.sharedImages) {
    if ('error' in f) {
      lines.push(`| \`${f.file}\` | ${describeFile(f)} | refused: ${f.error.status} ${f.error.code} | | | | | |`);
      continue;
    }
    lines.push(
      `| \`${f.file}\` | ${describeFile(f)} | ${f.prediction} | ${pct(f.probability)} | ${pct(f.reliability)} | ${f.reliable ? 'yes' : 'no'} | {${f.predictionSet.join(', ')}} | ${f.outOfDistribution ? 'yes' : 'no'} |`,
    );
  }
  return lines.join('\n');
}

/** The README's example answer: the real response to its example request, rounded and abridged. */
export function exampleAnswerSection(reportsDir: string): string {
  const e = read(reportsDir);
  const ex = e?.readmeExample?.response;
  if (!ex) return MISSING;
  const u = ex.result.uncertainty;
  const pick = (keys: string[]): Record<string, unknown> =>
    Object.fromEntries(
      keys.filter((k) => u[k] !== undefined).map((k) => [k, typeof u[k] === 'number' ? r3(u[k] as number) : u[k]]),
    );
  const abridged = {
    id: ex.id,
    status: ex.status,
    model: { name: ex.model.name, digest: `${ex.model.digest.slice(0, 15)}…` },
    result: {
      prediction: ex.result.prediction,
      probabilities: ex.result.probabilities.map(r2),
      ...(ex.result.rawProbabilities ? { rawProbabilities: ex.result.rawProbabilities.map(r2) } : {}),
      uncertainty: {
        // Five decimals: a reliability of 0.99997 is not 1.
        reliability: Number((u['reliability'] as number).toFixed(5)),
        ...pick(['reliable']),
        outOfDistribution: { score: r3(u.outOfDistribution.score), flag: u.outOfDistribution.flag },
        ...pick(['predictionSet', 'abstained', 'alpha', 'entropy', 'mutualInformation', 'samples', 'method']),
      },
    },
    timings: ex.timings,
  };
  // One line per array: ten probabilities read better side by side.
  const json = JSON.stringify(abridged, null, 2).replace(
    /\[\s+([^\]{}]*?)\s+\]/g,
    (_m, inner: string) => `[${inner.split(/,\s+/).join(', ')}]`,
  );
  return [
    `The answer to \`${e?.readmeExample?.request}\` (abridged and rounded; probabilities are by digit 0 to 9; from`,
    `\`${e?.command}\`, reports/client-e2e.json):`,
    '',
    '```json',
    json,
    '```',
  ].join('\n');
}
