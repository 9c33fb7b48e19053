// The interactive API docs in a real Chromium with every request that leaves the server refused:
// the page, Swagger UI and the document all come from the server itself. A user pastes the token
// into Authorize and tries a call.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './browser';
import { startLabelingServer } from './labeling-helpers';

let loupe: Awaited<ReturnType<typeof startLabelingServer>>;
let browser: Browser;
let page: Page;
const elsewhere: string[] = [];

beforeAll(async () => {
  // No gpu-runner: the docs need none, and the machine's CPUs are better spent elsewhere.
  loupe = await startLabelingServer();
  browser = await launchChromium();
  const context = await browser.newContext();
  await context.route('**/*', (route) => {
    if (new URL(route.request().url()).origin === loupe.url) return route.continue();
    elsewhere.push(route.request().url());
    return route.abort();
  });
  page = await context.newPage();
  page.on('pageerror', (e) => console.error('page error:', e));
});

afterAll(async () => {
  await browser?.close();
  await loupe?.close();
});

describe('API docs', () => {
  it('list every operation of the document, with nothing fetched from another host', async () => {
    const doc = (await (await fetch(`${loupe.url}/api/openapi.json`)).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    const operations = Object.values(doc.paths).flatMap((item) => Object.keys(item)).length;
    await page.goto(`${loupe.url}/api/docs`);
    await page.locator('.opblock').first().waitFor();
    expect(await page.locator('.opblock').count()).toBe(operations);
    const paths = await page.locator('.opblock-summary-path').allTextContents();
    expect(paths.map((p) => p.replace(/\u200b/g, ''))).toContain('/api/jobs/{id}/events');
    expect(elsewhere).toEqual([]);
  });

  it('take a pasted token and run a call with it', async () => {
    await page.locator('.btn.authorize').first().click();
    const dialog = page.locator('.modal-ux');
    const userToken = dialog.locator('.auth-container').filter({ hasText: 'userToken' });
    await userToken.locator('input').fill(loupe.tokens.userToken);
    await userToken.getByRole('button', { name: 'Apply credentials' }).click();
    await dialog.locator('.close-modal').click();

    const list = page.locator('#operations-training-getJobs');
    await list.locator('.opblock-summary').click();
    await list.getByRole('button', { name: 'Try it out' }).click();
    await list.getByRole('button', { name: 'Execute' }).click();
    // A 200 and not a 401: the pasted token went with the request.
    const answer = list.locator('.live-responses-table tbody tr').first();
    await expect.poll(() => answer.locator('.response-col_status').textContent()).toBe('200');
    const body = await answer.locator('.response-col_description pre').first().textContent();
    expect(JSON.parse(body ?? '')).toMatchObject({ jobs: [], total: 0, next: null });
    expect(elsewhere).toEqual([]);
  });
});
