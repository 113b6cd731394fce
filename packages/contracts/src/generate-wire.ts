/**
 * `pnpm contracts:generate`: writes the SDK's wire types (`packages/client/src/wire.ts`) from the contracts, so the
 * SDK stays free of internal runtime dependencies and still never restates a shape by hand.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { formatWireModule, WIRE_MODULE_PATH } from './wire-file';

async function main(): Promise<void> {
  const file = path.resolve(__dirname, WIRE_MODULE_PATH);
  await writeFile(file, await formatWireModule());
  process.stdout.write(`wrote ${path.relative(process.cwd(), file)}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
