import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { hotFunctions, summariseProfileDir } from './profile';

describe('CPU profile summary', () => {
  it('ranks functions by self samples and converts them to milliseconds', () => {
    const profile = {
      startTime: 0,
      endTime: 100_000, // 100 ms in microseconds
      samples: new Array(100).fill(0),
      nodes: [
        { id: 1, callFrame: { functionName: '(root)', url: '', lineNumber: 0 }, hitCount: 0 },
        {
          id: 2,
          callFrame: {
            functionName: 'matMul',
            url: 'file:///x/node_modules/.pnpm/@tensorflow/tfjs-core/dist/a.js',
            lineNumber: 1,
          },
          hitCount: 70,
        },
        {
          id: 3,
          callFrame: { functionName: 'parse', url: 'file:///x/apps/gateway/src/app.ts', lineNumber: 2 },
          hitCount: 30,
        },
      ],
    };
    const hot = hotFunctions(profile);
    expect(hot.map((h) => h.fn)).toEqual(['matMul', 'parse']);
    expect(hot[0]?.selfMs).toBeCloseTo(70);
    expect(hot[0]?.share).toBeCloseTo(0.7);
    expect(hot[0]?.where).toContain('@tensorflow');
  });
});

describe('profile directory summary', () => {
  it('names each process by role and keeps its busiest thread, not the idle loader thread', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'prof-'));
    const make = (idle: number, busy: number) => ({
      startTime: 0,
      endTime: 1000,
      nodes: [
        { id: 1, callFrame: { functionName: '(idle)', url: '', lineNumber: 0 }, hitCount: idle },
        { id: 2, callFrame: { functionName: 'preprocess', url: 'file:///a.ts', lineNumber: 0 }, hitCount: busy },
      ],
    });
    writeFileSync(`${dir}/CPU.20261126.080658.4242.0.001.cpuprofile`, JSON.stringify(make(30, 70)));
    writeFileSync(`${dir}/CPU.20261126.080658.4242.1.002.cpuprofile`, JSON.stringify(make(100, 0)));
    const out = summariseProfileDir(dir, new Map([[4242, 'gateway']]));
    expect(Object.keys(out)).toEqual(['gateway']);
    expect(out['gateway']?.[0]?.fn).toBe('preprocess');
  });
});
