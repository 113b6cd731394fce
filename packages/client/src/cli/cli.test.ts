import { parseArgs } from './args';
import { mapBounded } from './pool';
import { renderTable } from './table';

describe('CLI helpers', () => {
  it('parses commands, positionals, valued flags and switches', () => {
    expect(parseArgs(['predict', 'a.png', 'dir', '--url', 'http://x', '--json', '--concurrency=4'])).toEqual({
      command: 'predict',
      positionals: ['a.png', 'dir'],
      flags: { url: 'http://x', json: true, concurrency: '4' },
    });
  });

  it('drops the leading -- that `pnpm cli -- ...` passes, so the flags after it still count', () => {
    expect(parseArgs(['--', 'predict', 'a.png', '--json'])).toEqual({
      command: 'predict',
      positionals: ['a.png'],
      flags: { json: true },
    });
    expect(parseArgs(['predict', '--', '--json']).positionals).toEqual(['--json']);
  });

  it('never runs more than the given number of tasks at once and keeps input order', async () => {
    let inFlight = 0;
    let peak = 0;
    const out = await mapBounded([5, 1, 4, 2, 3], 2, async (x) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, x * 5));
      inFlight--;
      return x * 10;
    });
    expect(out).toEqual([50, 10, 40, 20, 30]);
    expect(peak).toBe(2);
  });

  it('aligns table columns, numbers to the right', () => {
    expect(
      renderTable(
        ['file', 'n'],
        [
          ['a.png', '7'],
          ['long-name.png', '12'],
        ],
      ),
    ).toBe('file            n\n-------------  --\na.png           7\nlong-name.png  12\n');
  });
});
