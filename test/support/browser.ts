/**
 * Headless Chromium for the e2e tests: Debian's `chromium` (TOCSIN_TEST_CHROMIUM, set by
 * test/run.ts; default /usr/bin/chromium) driven by playwright-core, which never downloads a
 * browser. Each launch gets a fresh, empty profile (playwright-core's own temporary
 * user-data-dir, deleted on close) and each `newContext()` its own cookies and storage. The
 * flags keep Chromium off the network: without the background-networking ones it keeps trying
 * to reach Google's hosts.
 *
 * Also: the console must be built and up to date (`npm run build:web`), and screenshots go to
 * test-artifacts/screenshots/ (git-ignored).
 */
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

const root = fileURLToPath(new URL('../..', import.meta.url));
export const SCREENSHOTS = path.join(root, 'test-artifacts', 'screenshots');

export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
] as const;

/** Launches the installed Chromium; throws (never skips) when it cannot. */
export async function launchBrowser(): Promise<Browser> {
  const executablePath = process.env.TOCSIN_TEST_CHROMIUM || '/usr/bin/chromium';
  return chromium.launch({
    executablePath,
    headless: true,
    chromiumSandbox: false,
    args: [...CHROMIUM_FLAGS],
    timeout: 30_000,
  });
}

/** Newest modification time under `dir` (files only), in ms. */
function newest(dir: string): number {
  let t = 0;
  for (const name of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    const s = statSync(path.join(dir, name));
    if (s.isFile()) t = Math.max(t, s.mtimeMs);
  }
  return t;
}

/**
 * Throws unless dist/web holds a console built after the last change to src/web (and to
 * vite.config.ts): a stale build would test old code.
 */
export function assertConsoleBuilt(): void {
  const index = path.join(root, 'dist', 'web', 'index.html');
  let built: number;
  try {
    built = statSync(index).mtimeMs;
  } catch {
    throw new Error('the web console is not built: run `npm run build:web` before the e2e tests');
  }
  const source = Math.max(newest(path.join(root, 'src', 'web')), statSync(path.join(root, 'vite.config.ts')).mtimeMs);
  if (source > built) throw new Error('the web console build is older than src/web: run `npm run build:web` again');
}

/** Saves a full-page PNG as test-artifacts/screenshots/<name>.png and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const file = path.join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
