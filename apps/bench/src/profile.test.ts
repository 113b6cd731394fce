import { hotFunctions } from './profile';

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
