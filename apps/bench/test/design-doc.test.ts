import path from 'node:path';
import { docSectionMatches, repoRoot, writeDocSection } from '@mserve/common';
import { capacitySection, workersSection } from '../src/capacity';
import { servingSection, uncertaintySection } from '../src/design';
import { haSection } from '../src/ha-section';
import { redisCapacitySection } from '../src/redis-capacity';
import { sizingSection } from '../src/sizing';

// docs/design.md quotes reports/*.json through generated sections only; `UPDATE_DOCS=1 pnpm jest design-doc`
// rewrites them after a report command ran.
describe('docs/design.md measured numbers', () => {
  const root = repoRoot();
  const doc = path.join(root, 'docs/design.md');
  const reports = path.join(root, 'reports');
  const sections = {
    capacity: capacitySection(reports),
    serving: servingSection(reports),
    workers: workersSection(reports),
    sizing: sizingSection(reports),
    uncertainty: uncertaintySection(reports),
    'redis-capacity': redisCapacitySection(reports),
    ha: haSection(reports),
  };
  if (process.env['UPDATE_DOCS'] === '1') for (const [k, v] of Object.entries(sections)) writeDocSection(doc, k, v);

  it('quotes the benchmark exactly as reports/bench.json has it', () => {
    expect(docSectionMatches(doc, 'serving', sections.serving)).toBe(true);
  });

  it('quotes the uncertainty evaluation exactly as reports/eval.json has it', () => {
    expect(docSectionMatches(doc, 'uncertainty', sections.uncertainty)).toBe(true);
  });

  it('quotes the Redis capacity model and the failover, persistence and cluster runs exactly as the reports have them', () => {
    expect(docSectionMatches(doc, 'redis-capacity', sections['redis-capacity'])).toBe(true);
    expect(docSectionMatches(doc, 'ha', sections.ha)).toBe(true);
  });

  it('quotes the targets against capacity, the worker comparison and the sizing exactly as the reports have them', () => {
    expect(docSectionMatches(doc, 'capacity', sections.capacity)).toBe(true);
    expect(docSectionMatches(doc, 'workers', sections.workers)).toBe(true);
    expect(docSectionMatches(doc, 'sizing', sections.sizing)).toBe(true);
  });
});
