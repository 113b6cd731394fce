import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { wireTypesModule } from './schema-to-typescript';

/** Where the SDK's generated wire types live, relative to this folder. */
export const WIRE_MODULE_PATH = '../../client/src/wire.ts';

/**
 * The generated module's text as it must be committed: {@link wireTypesModule} through prettier with the
 * repository's `.prettierrc.json`, so `prettier --check` agrees with it. Prettier's standalone build is used (loaded
 * here, not at the top, as only the generator and its staleness test need it) because its main entry imports
 * ES modules dynamically, which Jest's CommonJS runtime cannot.
 */
export async function formatWireModule(): Promise<string> {
  const [prettier, typescript, estree] = await Promise.all([
    import('prettier/standalone'),
    import('prettier/plugins/typescript'),
    import('prettier/plugins/estree'),
  ]);
  const rc = path.resolve(__dirname, '../../../.prettierrc.json');
  const options = JSON.parse(await readFile(rc, 'utf8')) as Record<string, unknown>;
  return prettier.format(wireTypesModule(), { ...options, parser: 'typescript', plugins: [typescript, estree] });
}
