/**
 * True when a test run was asked to write its measurements to `reports/` (`REPORTS=1`). Tests measure every time
 * but write only on request, so `pnpm test` from a clone leaves the committed reports, and `git status`, alone;
 * refresh them deliberately with `REPORTS=1 pnpm jest <suite>` and commit the result.
 */
export function reportsRequested(source: NodeJS.ProcessEnv = process.env): boolean {
  return source['REPORTS'] === '1';
}
