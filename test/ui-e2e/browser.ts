import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, type ConsoleMessage, chromium, type Page } from 'playwright-core';
import { REPO_ROOT } from '../helpers/server-process.js';

export type Language = 'en' | 'ru';

/** Expected HTTP refusals the browser reports on its console, e.g. a wrong password's 401. */
type ExpectedFailure = { status: number; path: RegExp; remaining: number };

export type Browser = {
  context: BrowserContext;
  page: Page;
  /** Console errors and page errors so far that no step expected. */
  problems(): string[];
  /** The next `times` responses of `status` to a URL matching `path` are part of the scenario. */
  expectFailure(status: number, path: RegExp, times?: number): void;
  screenshot(name: string): Promise<void>;
  /** Every input, select and textarea on the page that has no accessible name. */
  unlabelled(): Promise<string[]>;
  close(): Promise<void>;
};

/** The flags this machine needs for Debian's Chromium (no sandbox, no GPU, no network of its own). */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export const CHROMIUM = process.env.IBSYNC_CHROMIUM ?? '/usr/bin/chromium';

/**
 * Probes that answer 401 or 404 by design: whether a session is still valid (the app then shows the
 * login screen), and whether the host offers the mapping analysis.
 */
const ALWAYS_EXPECTED: { status: number; path: RegExp }[] = [
  { status: 401, path: /\/api\/v1\/auth\/me$/ },
  { status: 404, path: /\/api\/v1\/sync\/settings\/[^/]+\/mapping$/ },
];

// Runs in the page: the accessible name of each form control, as a screen reader would read it.
const UNLABELLED_SCRIPT = `(() => {
  const nameOf = (element) => {
    const aria = element.getAttribute('aria-label');
    if (aria && aria.trim()) return aria.trim();
    const by = element.getAttribute('aria-labelledby');
    if (by) {
      const text = by.split(/\\s+/).map((id) => document.getElementById(id)?.textContent ?? '').join(' ').trim();
      if (text) return text;
    }
    const labels = element.labels ? [...element.labels].map((label) => label.textContent ?? '').join(' ').trim() : '';
    if (labels) return labels;
    const title = element.getAttribute('title');
    return title && title.trim() ? title.trim() : '';
  };
  return [...document.querySelectorAll('input, select, textarea')]
    .filter((element) => element.type !== 'hidden')
    .filter((element) => !nameOf(element))
    .map((element) => element.outerHTML.slice(0, 200));
})()`;

export async function launchBrowser(language: Language): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`no Chromium at ${CHROMIUM}: apt-get install chromium (or set IBSYNC_CHROMIUM)`);
  }
  const userDataDir = mkdtempSync(join(tmpdir(), 'ibsync-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    locale: language === 'ru' ? 'ru-RU' : 'en-US',
    viewport: { width: 1280, height: 800 },
    timezoneId: 'Europe/Moscow',
  });
  context.setDefaultTimeout(20_000);
  const page = context.pages()[0] ?? (await context.newPage());
  const problems: string[] = [];
  const expected: ExpectedFailure[] = [];
  const consume = (status: number, url: string) => {
    const path = new URL(url).pathname;
    if (ALWAYS_EXPECTED.some((rule) => rule.status === status && rule.path.test(path))) return true;
    const rule = expected.find(
      (candidate) => candidate.status === status && candidate.path.test(path) && candidate.remaining > 0,
    );
    if (!rule) return false;
    rule.remaining -= 1;
    return true;
  };
  page.on('console', (message: ConsoleMessage) => {
    if (message.type() !== 'error') return;
    const status = /status of (\d{3})/.exec(message.text())?.[1];
    const url = message.location().url;
    if (status && url && consume(Number(status), url)) return;
    problems.push(`console: ${message.text()} (${url})`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));

  const folder = join(REPO_ROOT, 'screenshots', language);
  mkdirSync(folder, { recursive: true });
  return {
    context,
    page,
    problems: () => [...problems],
    expectFailure(status, path, times = 1) {
      expected.push({ status, path, remaining: times });
    },
    async screenshot(name) {
      // Let transitions (notifications, modals) settle so the picture shows the state, not a frame of a fade.
      await page.waitForTimeout(150);
      await page.screenshot({ path: join(folder, `${name}.png`), fullPage: false });
    },
    unlabelled: () => page.evaluate<string[]>(UNLABELLED_SCRIPT),
    async close() {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}
