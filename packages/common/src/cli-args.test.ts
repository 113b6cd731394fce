import { parseArgs } from 'node:util';
import { cliArgs } from './cli-args';

describe('cliArgs', () => {
  it('drops the leading -- that `pnpm <script> -- --flag` passes, so parseArgs sees the flags', () => {
    const { values } = parseArgs({ args: cliArgs(['--', '--out', 'x']), options: { out: { type: 'string' } } });
    expect(values.out).toBe('x');
  });

  it('keeps a later -- that ends the options', () => {
    expect(cliArgs(['--json', '--', '--not-a-flag'])).toEqual(['--json', '--', '--not-a-flag']);
    expect(cliArgs(['--', 'a', '--', 'b'])).toEqual(['a', '--', 'b']);
  });
});
