/**
 * Headless Debian Chromium driven by playwright-core, for the browser suite. No browser download: the suite uses
 * the system's `chromium` (CI installs it in `.ci/run`); when it is missing the suite fails saying how to install
 * it, rather than skipping.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { reportsRequested } from '@mserve/common';
import { ROOT } from '@mserve/testkit';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/** Where Debian's `chromium` package puts the browser (override with `CHROMIUM_PATH`). */
export const CHROMIUM_PATH = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

/** Flags for a quiet, sandbox-free headless run in CI containers: no GPU, no network of its own, no updates. */
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A running browser with a fresh profile; `close()` removes the profile. */
export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** Launches Chromium with a fresh user-data-dir; throws naming the missing package when it is not installed. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `browser tests need Chromium at ${CHROMIUM_PATH}: apt-get install -y chromium (.ci/run does), ` +
        'or set CHROMIUM_PATH',
    );
  }
  const profile = mkdtempSync(path.join(os.tmpdir(), 'mserve-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ARGS,
    viewport: { width: 1280, height: 900 },
  });
  return {
    context,
    async close() {
      await context.close().catch(() => undefined);
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * Saves a screenshot to `reports/screenshots/<name>.png`, only when asked with `REPORTS=1`: the whole page, or only
 * the viewport (long pages such as /docs).
 */
export async function screenshot(page: Page, name: string, fullPage = true): Promise<void> {
  if (!reportsRequested()) return;
  const dir = path.join(ROOT, 'reports', 'screenshots');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, `${name}.png`), await page.screenshot({ fullPage }));
}
