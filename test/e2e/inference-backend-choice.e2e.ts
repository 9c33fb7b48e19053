/**
 * The backend choice on a real WebGPU adapter: the model page in Chromium with SwiftShader's
 * adapter (WEBGPU_FLAGS), on the built PWA and the real server, the registry's version routed to
 * the detect fixture model (a real Ultralytics export).
 * - First load on this device: the worker times WASM and WebGPU (both really run the model),
 *   keeps the faster, the page says which and why, and IndexedDB remembers it under (model,
 *   device = this adapter); a reload uses that record and benchmarks nothing.
 * - Where the device's record says WebGPU, the model runs on WebGPU and draws its boxes.
 * - WebGPU failing inside onnxruntime (its WebGPU runtime cannot be fetched, so session creation
 *   with the webgpu execution provider throws): the page falls back to WASM, says why, still
 *   draws boxes, and the record becomes WASM.
 * Which backend wins the benchmark is the machine's business (SwiftShader is slow): the test
 * checks the choice against the timings it recorded, never the timings themselves.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BackendChoiceRow } from '../../web/lib/db/backend-choices';
import { fixtureModelVersion, startPwaServer } from '../fixtures/inference-harness';
import { launchChromium, PHONE, WEBGPU_FLAGS } from './browser';

let server: Awaited<ReturnType<typeof startPwaServer>>;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const { dir, onnx, model } = fixtureModelVersion('detect');

beforeAll(async () => {
  server = await startPwaServer('backend-choice-e2e');
  browser = await launchChromium(WEBGPU_FLAGS);
  // No service worker: every runtime file request reaches the routes below.
  context = await browser.newContext({ ...PHONE, serviceWorkers: 'block' });
  page = await context.newPage();
  page.on('pageerror', (e) => console.error('page error:', e));
  await context.route(`${server.url}/api/models/${model.id}`, (route) =>
    route.fulfill({ json: model }),
  );
  await context.route(`${server.url}/api/models/${model.id}/model.onnx`, (route) =>
    route.fulfill({ body: onnx, contentType: 'application/octet-stream' }),
  );
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** Opens the model page afresh (a new worker) and loads the model; answers the label. */
async function openAndLoad() {
  await page.goto(`${server.url}/models/${model.id}?token=${server.tokens.userToken}`);
  await page.getByRole('button', { name: 'Download and load' }).click();
  const label = page.getByTestId('model-backend');
  // SwiftShader compiles WebGPU's shaders on the CPU; a benchmark load takes a while.
  await label.waitFor({ timeout: 5 * 60_000 });
  return {
    text: (await label.textContent())?.trim() ?? '',
    backend: await label.getAttribute('data-backend'),
  };
}

/** This origin's remembered choices (IndexedDB 'loupe', table backendChoices). */
function records(): Promise<BackendChoiceRow[]> {
  return page.evaluate(
    () =>
      new Promise<BackendChoiceRow[]>((resolve, reject) => {
        const open = indexedDB.open('loupe');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const get = db.transaction('backendChoices').objectStore('backendChoices').getAll();
          get.onsuccess = () => {
            db.close();
            resolve(get.result as BackendChoiceRow[]);
          };
          get.onerror = () => reject(get.error);
        };
      }),
  );
}

/** Replaces this device's record for the model, as an earlier load on it would have left it. */
function rememberOnDevice(row: BackendChoiceRow): Promise<void> {
  return page.evaluate(
    (row) =>
      new Promise<void>((resolve, reject) => {
        const open = indexedDB.open('loupe');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const tx = db.transaction('backendChoices', 'readwrite');
          tx.objectStore('backendChoices').clear();
          tx.objectStore('backendChoices').put(row);
          tx.oncomplete = () => {
            db.close();
            resolve();
          };
          tx.onerror = () => reject(tx.error);
        };
      }),
    row,
  );
}

/** A photo Ultralytics found cards in at conf 0.25; answers how many boxes the page drew. */
async function detectPhoto(): Promise<number> {
  const reference = JSON.parse(readFileSync(join(dir, 'reference.json'), 'utf8')) as {
    images: { file: string; predictions: Record<string, unknown[]> }[];
  };
  const image = reference.images.find((i) => (i.predictions['0.25'] ?? []).length > 0)!;
  await page.getByTestId('detect-image').setInputFiles({
    name: image.file,
    mimeType: 'image/jpeg',
    buffer: readFileSync(join(dir, 'images', image.file)),
  });
  const runs = page.getByTestId('detection-summary');
  await expect.poll(() => runs.getAttribute('data-runs'), { timeout: 5 * 60_000 }).toBe('1');
  const drawn = await page.getByTestId('detection').count();
  expect(drawn).toBe(image.predictions['0.25']!.length);
  return drawn;
}

describe('backend choice on a real WebGPU adapter (SwiftShader), in Chromium', () => {
  let benchmarked: BackendChoiceRow;

  it('benchmarks WASM and WebGPU once, keeps the faster, says why and remembers it', async () => {
    const loaded = await openAndLoad();
    console.log(`first load: ${loaded.text}`);
    // The page stores the choice as the load ends, without waiting for it.
    await expect.poll(async () => (await records()).length).toBe(1);
    const [row] = await records();
    benchmarked = row!;
    // Keyed by the model and by this device: the adapter's name, so another GPU benchmarks anew.
    expect(row).toMatchObject({ sha256: model.onnxSha256 });
    expect(row!.device).toMatch(/swiftshader/i);
    // Both backends ran the model: each has a time.
    const { wasm, webgpu } = row!.timings ?? {};
    expect(wasm).toBeGreaterThan(0);
    expect(webgpu).toBeGreaterThan(0);
    const faster = webgpu! < wasm! ? 'webgpu' : 'wasm';
    expect(row!.backend).toBe(faster);
    expect(loaded.backend).toBe(faster);
    expect(loaded.text).toMatch(
      new RegExp(
        `^Loaded · runs on ${faster === 'webgpu' ? 'WebGPU' : 'WASM'} ` +
          '\\(faster on this device: [\\d.]+ ms vs [\\d.]+ ms\\)$',
      ),
    );
    await detectPhoto();

    // A reload reads the record: same answer, no new benchmark (the record is not rewritten).
    const again = await openAndLoad();
    expect(again).toEqual(loaded);
    expect(await records()).toEqual([benchmarked]);
  });

  it("runs on WebGPU where this device's record says so, and draws the boxes", async () => {
    await rememberOnDevice({
      sha256: benchmarked.sha256,
      device: benchmarked.device,
      backend: 'webgpu',
      decidedAt: benchmarked.decidedAt,
    });
    const loaded = await openAndLoad();
    expect(loaded).toEqual({ text: 'Loaded · runs on WebGPU', backend: 'webgpu' });
    await detectPhoto();
    // Still WebGPU after the run: it did not fail over to WASM.
    expect(await page.getByTestId('model-backend').getAttribute('data-backend')).toBe('webgpu');
    expect((await records()).map((r) => r.backend)).toEqual(['webgpu']);
  });

  it('falls back to WASM with a visible reason when WebGPU fails in onnxruntime', async () => {
    // The record still says WebGPU. onnxruntime's WebGPU build cannot fetch its runtime, so
    // creating the webgpu session throws inside onnxruntime; the CPU build is untouched.
    await context.route('**/ort-wasm-simd-threaded.asyncify*.wasm', (route) =>
      route.abort('failed'),
    );
    try {
      const loaded = await openAndLoad();
      console.log(`WebGPU failing: ${loaded.text}`);
      expect(loaded.backend).toBe('wasm');
      expect(loaded.text).toMatch(/^Loaded · runs on WASM \(WebGPU failed: .+\)$/);
      await detectPhoto();
      await expect.poll(async () => (await records()).map((r) => r.backend)).toEqual(['wasm']);
      const [row] = await records();
      expect(row).toMatchObject({ backend: 'wasm', device: benchmarked.device });
      expect(row!.reason).toMatch(/^WebGPU failed: /);
    } finally {
      await context.unroute('**/ort-wasm-simd-threaded.asyncify*.wasm');
    }
  });
});
