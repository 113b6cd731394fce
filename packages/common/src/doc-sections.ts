import { readFileSync, writeFileSync } from 'node:fs';

const begin = (name: string): string => `<!-- generated:${name} -->`;
const end = (name: string): string => `<!-- /generated:${name} -->`;

/** Markdown with table padding removed, so a prettier-aligned table equals the unaligned one it came from. */
function normalise(md: string): string {
  return md
    .trim()
    .split('\n')
    .map((line) =>
      line
        .trim()
        .split('|')
        .map((cell) => cell.trim().replace(/^:?-{3,}:?$/, '---'))
        .join('|'),
    )
    .join('\n');
}

function block(text: string, name: string): { from: number; to: number } | undefined {
  const b = text.indexOf(begin(name));
  const e = text.indexOf(end(name));
  return b < 0 || e < b ? undefined : { from: b + begin(name).length, to: e };
}

/**
 * True when the block between `<!-- generated:NAME -->` markers in a Markdown file says `content` (ignoring table
 * alignment). Docs generated from code are checked by a test calling this, so they cannot drift silently.
 */
export function docSectionMatches(file: string, name: string, content: string): boolean {
  const text = readFileSync(file, 'utf8');
  const at = block(text, name);
  return at !== undefined && normalise(text.slice(at.from, at.to)) === normalise(content);
}

/** Rewrites the generated block `name` of a Markdown file with `content`; false when the markers are missing. */
export function writeDocSection(file: string, name: string, content: string): boolean {
  const text = readFileSync(file, 'utf8');
  const at = block(text, name);
  if (!at) return false;
  writeFileSync(file, `${text.slice(0, at.from)}\n${content.trim()}\n${text.slice(at.to)}`);
  return true;
}
