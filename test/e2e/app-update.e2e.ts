// A new app version while a tab is open, in Chromium: two real builds (SvelteKit names each
// version by its build time), the server's files swapped from A to B under an open tab. The tab
// keeps running A, from A's cache, also on routes it had not opened yet (B's server no longer has
// A's chunks); the update prompt appears; after Reload every script the page runs is B's.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, PHONE } from './browser';
import { startLabelingServer } from './labeling-helpers';

type Build = {
  dir: string;
  version: string;
  /** The page global SvelteKit names after the version (`__sveltekit_<hash>`). */
  global: string;
  /** Every file under `/_app/`, as URL paths. */
  files: Set<string>;
};

const work = mkdtempSync(join(tmpdir(), 'loupe-app-update-'));
const served = join(work, 'served');
let a: Build;
let b: Build;
let server: Awaited<ReturnType<typeof startLabelingServer>>;
let browser: Browser;
let page: Page;
/** Every `/_app/` response the page got: path, status, and whether its service worker answered. */
let responses: { path: string; status: number; fromWorker: boolean }[] = [];

function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

/** `vite build` into its own folder (LOUPE_BUILD_DIR), as a deploy of a new version would. */
function build(name: string): Build {
  const dir = join(work, name);
  execFileSync('npx', ['vite', 'build'], {
    env: { ...process.env, LOUPE_BUILD_DIR: dir },
    stdio: 'pipe',
  });
  const { version } = JSON.parse(readFileSync(join(dir, '_app/version.json'), 'utf8')) as {
    version: string;
  };
  const global = /__sveltekit_[a-z0-9]+/.exec(readFileSync(join(dir, 'index.html'), 'utf8'))?.[0];
  if (!global) throw new Error(`${name}: index.html names no __sveltekit_ global`);
  const files = listFiles(join(dir, '_app')).map((f) => `/${relative(dir, f)}`);
  return { dir, version, global, files: new Set(files) };
}

/** What the server serves becomes `from`, as a deploy replaces the files. */
function deploy(from: Build) {
  rmSync(served, { recursive: true, force: true });
  cpSync(from.dir, served, { recursive: true });
}

const only = (x: Build, y: Build) => new Set([...x.files].filter((f) => !y.files.has(f)));

/** The SvelteKit global of the running page: which version's start script ran. */
const runningGlobal = (p: Page) =>
  p.evaluate(() => Object.keys(window).filter((k) => k.startsWith('__sveltekit_')));

/** Scripts this document ran (resource timing), as URL paths. */
const scriptsRun = (p: Page) =>
  p.evaluate(() =>
    performance
      .getEntriesByType('resource')
      .map((e) => new URL(e.name).pathname)
      .filter((path) => path.startsWith('/_app/') && path.endsWith('.js')),
  );

beforeAll(async () => {
  a = build('a');
  b = build('b');
  deploy(a);
  server = await startLabelingServer(served);
  browser = await launchChromium();
  const context = await browser.newContext({ ...PHONE });
  page = await context.newPage();
  page.on('pageerror', (e) => console.error('page error:', e));
  page.on('response', (r) => {
    const path = new URL(r.url()).pathname;
    if (path.startsWith('/_app/')) {
      responses.push({ path, status: r.status(), fromWorker: r.fromServiceWorker() });
    }
  });
}, 10 * 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  rmSync(work, { recursive: true, force: true });
});

describe('a service-worker update while a tab is open', () => {
  it('keeps the tab on version A until Reload, then runs only version B', async () => {
    expect(a.version).not.toBe(b.version);
    expect(a.global).not.toBe(b.global);
    const aOnly = only(a, b);
    const bOnly = only(b, a);
    // The version is compiled into chunks that route pages import: a real mix would show.
    expect(aOnly.size).toBeGreaterThan(0);
    expect(bOnly.size).toBeGreaterThan(0);

    // Version A, installed: its worker controls the page and holds A's files.
    await page.goto(`${server.url}/?token=${server.tokens.userToken}`);
    await expect.poll(() => page.getByTestId('offline-ready').isVisible()).toBe(true);
    expect(await page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
    expect(await runningGlobal(page)).toEqual([a.global]);

    // The deploy: the server now has only B's files, and the browser checks for an update.
    deploy(b);
    responses = [];
    await page.evaluate(async () => {
      const registration = await navigator.serviceWorker.getRegistration();
      await registration?.update();
    });
    await expect.poll(() => page.getByTestId('update-prompt').isVisible()).toBe(true);
    expect(await page.getByTestId('update-prompt').textContent()).toContain(
      'A new version of Loupe is ready',
    );

    // Still A: routes the tab had not opened load A's chunks from A's cache, none from B.
    await page.getByRole('link', { name: 'Training', exact: true }).click();
    await page.waitForURL(/\/jobs$/);
    await page.getByRole('link', { name: 'Models', exact: true }).click();
    await page.waitForURL(/\/models$/);
    await page.getByRole('link', { name: 'Scan', exact: true }).click();
    await page.waitForURL(/\/scan$/);
    const whileA = [...responses];
    expect(whileA.length).toBeGreaterThan(0);
    expect(whileA.filter((r) => r.status !== 200)).toEqual([]);
    expect(whileA.filter((r) => !r.fromWorker)).toEqual([]);
    expect(whileA.filter((r) => !a.files.has(r.path))).toEqual([]);
    // Among them chunks B's server no longer has: only A's cache could answer them.
    expect(whileA.some((r) => aOnly.has(r.path))).toBe(true);
    expect(await runningGlobal(page)).toEqual([a.global]);
    expect((await scriptsRun(page)).filter((path) => bOnly.has(path))).toEqual([]);

    // Reload: B takes over and the page is B's alone.
    await page.getByTestId('update-prompt').getByRole('button', { name: 'Reload' }).click();
    await expect.poll(() => runningGlobal(page).catch(() => [])).toEqual([b.global]);
    await page.waitForLoadState('load');
    const run = await scriptsRun(page);
    expect(run.length).toBeGreaterThan(0);
    expect(run.filter((path) => !b.files.has(path))).toEqual([]);
    expect(run.some((path) => bOnly.has(path))).toBe(true);
    // A's cache was dropped once B was in charge; B's is the only one left.
    expect(await page.evaluate(() => caches.keys())).toEqual([`loupe-shell-${b.version}`]);
    await expect.poll(() => page.getByTestId('update-prompt').count()).toBe(0);
  });
});
