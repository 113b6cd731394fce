import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { formatWireModule, WIRE_MODULE_PATH } from './wire-file';

describe("the SDK's generated wire types", () => {
  it('are current: packages/client/src/wire.ts is what pnpm contracts:generate writes from the contracts', async () => {
    const file = path.resolve(__dirname, WIRE_MODULE_PATH);
    const committed = await readFile(file, 'utf8');
    const expected = await formatWireModule();
    // On failure: run `pnpm contracts:generate` and commit packages/client/src/wire.ts.
    expect(committed).toBe(expected);
  });
});
