/**
 * The app on an origin that is not a secure context (plain http from a network name, as with
 * LOUPE_TLS=off and no proxy): it says so at once, names what will not work and links to https,
 * and a feature that needs a withheld API says that, not "the server cannot be reached".
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, PHONE } from './browser';
import { startLabelingServer, type LabelingServer } from './labeling-helpers';

let loupe: LabelingServer;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  loupe = await startLabelingServer();
  browser = await launchChromium(['--host-resolver-rules=MAP loupe.lan 127.0.0.1']);
  page = await (await browser.newContext(PHONE)).newPage();
});
afterAll(async () => {
  await browser?.close();
  await loupe?.close();
});

describe('an insecure origin', () => {
  it('explains itself and does not blame the network', async () => {
    const origin = `http://loupe.lan:${loupe.port}`;
    await page.goto(`${origin}/?token=${loupe.tokens.userToken}`);
    expect(await page.evaluate(() => window.isSecureContext)).toBe(false);
    const notice = page.getByRole('alert').filter({ hasText: 'This is not a secure connection' });
    await notice.waitFor();
    const text = (await notice.textContent()) ?? '';
    for (const broken of [
      'creating datasets',
      'hashing photos',
      'working offline',
      'Take photo and Scan',
      'WASM threads',
    ]) {
      expect(text).toContain(broken);
    }
    expect(
      await notice.getByRole('link', { name: 'Open it over https' }).getAttribute('href'),
    ).toBe(`https://loupe.lan:${loupe.port}/`);

    await page.getByLabel('Name').fill('Cards');
    await page.getByRole('button', { name: 'Create' }).tap();
    const error = page.getByText(/This page is not a secure \(https\) connection/);
    await error.waitFor();
    expect(await page.getByText('The server cannot be reached').count()).toBe(0);
  });
});
