/**
 * The labeling studio's main-thread budget in Chromium, measured with a PerformanceObserver for
 * long tasks (over 50 ms): opening a 10,000-image dataset (against one transaction reading every
 * row, the way the page used to, in the same run), importing generated 3-megapixel photos, and
 * zooming, panning and drawing on a 12-megapixel photo holding 1,000 boxes. Numbers only, not CI;
 * needs `npx vite build` first. Results go in docs/benchmarks-labeling.md.
 *
 *   npx tsx bench/labeling-bench.ts [photos=500] [gridImages=10000] [parts=grid,photo,import]
 *     [--profile DIR] [--web BUILD_DIR]
 *
 * --profile writes a CPU profile of each part's main thread into DIR (open it in DevTools) and
 * prints what ran in every stretch of busy samples over 50 ms, so a long task can be traced to
 * its functions; build with `npx vite build --minify false` for readable names. --web serves
 * another build than build/ (e.g. `LOUPE_BUILD_DIR=/tmp/x npx vite build`).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { launchChromium } from '../test/e2e/browser';
import { seedGridDataset } from '../test/e2e/grid-seed';
import { createDataset, startLabelingServer } from '../test/e2e/labeling-helpers';

function flag(name: string): string | undefined {
  const at = process.argv.indexOf(name);
  return at > 0 ? process.argv[at + 1] : undefined;
}
const positional = process.argv
  .slice(2)
  .filter((a, i, all) => !a.startsWith('--') && !all[i - 1]?.startsWith('--'));
const [photos = 500, gridImages = 10_000] = positional.slice(0, 2).map(Number);
const parts = (positional[2] ?? 'grid,photo,import').split(',');
const profileDir = flag('--profile');
const webDir = flag('--web');

interface Watch {
  longest: number;
  count: number;
}

/** Long tasks from the page's start; `read` returns and resets them. */
async function watchLongTasks(page: Page) {
  await page.addInitScript(() => {
    const w = window as unknown as { watch: Watch };
    w.watch = { longest: 0, count: 0 };
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        w.watch.longest = Math.max(w.watch.longest, e.duration);
        w.watch.count += 1;
      }
    }).observe({ type: 'longtask', buffered: true });
  });
}

async function readLongTasks(page: Page): Promise<Watch> {
  // One frame first, so a task that just ended has been reported.
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0))));
  return page.evaluate(() => {
    const w = window as unknown as { watch: Watch };
    const seen = { ...w.watch };
    w.watch = { longest: 0, count: 0 };
    return seen;
  });
}

interface CpuProfile {
  nodes: {
    id: number;
    children?: number[];
    callFrame: { functionName: string; url: string; lineNumber: number };
  }[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  args?: { name?: string; data?: Record<string, unknown> };
}

const TASKS = new Set(['RunTask', 'ThreadControllerImpl::RunTask']);

/** What a trace event was about: an event's type, a called function, a timer's id. */
function eventName(e: TraceEvent): string {
  const d = e.args?.data ?? {};
  const detail = [
    d['type'],
    d['functionName'],
    String(d['url'] ?? '')
      .split('/')
      .at(-1),
  ]
    .filter(Boolean)
    .join(' ');
  return detail ? `${e.name} (${detail})` : e.name;
}

/** The renderer main threads' tasks over 50 ms, outermost only: [pid, tid, start, end] each. */
function longTasks(events: TraceEvent[]): TraceEvent[] {
  const mains = new Set(
    events
      .filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain')
      .map((e) => `${e.pid}:${e.tid}`),
  );
  const tasks = events
    .filter((e) => TASKS.has(e.name) && (e.dur ?? 0) > 50_000 && mains.has(`${e.pid}:${e.tid}`))
    .sort((a, b) => a.ts - b.ts);
  return tasks.filter((t, i) => !tasks.slice(0, i).some((o) => o.ts + o.dur! >= t.ts + t.dur!));
}

/** "name file:line" of a profile frame, the way DevTools' bottom-up view names it. */
function frameName(frame: CpuProfile['nodes'][number]['callFrame']): string {
  const file = frame.url.split('/').at(-1) ?? '';
  return `${frame.functionName || '(anonymous)'} ${file}:${frame.lineNumber + 1}`;
}

/**
 * The functions a window of the CPU profile spent its time in: self time, and the time under
 * each frame (counted once per sample), which names the caller that started the work.
 */
function profiledFunctions(profile: CpuProfile, from: number, to: number): string[] {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parents = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parents.set(c, n.id);
  const self = new Map<string, number>();
  const under = new Map<string, number>();
  let t = profile.startTime;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i + 1] ?? 0; // a sample stands for the time until the next one
    t += profile.timeDeltas[i] ?? 0;
    if (t < from || t > to) return;
    const add = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + dt);
    add(self, frameName(nodes.get(id)!.callFrame));
    const seen = new Set<string>();
    for (let at = parents.get(id); at !== undefined; at = parents.get(at)) {
      const name = frameName(nodes.get(at)!.callFrame);
      if (!seen.has(name) && !name.startsWith('(root)')) add(under, name);
      seen.add(name);
    }
  });
  const top = (m: Map<string, number>, n: number) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, us]) => `        ${(us / 1000).toFixed(0).padStart(4)} ms  ${name}`);
  return ['      functions, self:', ...top(self, 8), '      under:', ...top(under, 10)];
}

/** Each long task of the trace, with its longest events and the profiled functions inside it. */
function explainLongTasks(events: TraceEvent[], profile: CpuProfile): string[] {
  const lines: string[] = [];
  const first = events.reduce((m, e) => (e.ts > 0 ? Math.min(m, e.ts) : m), Infinity);
  for (const task of longTasks(events)) {
    const end = task.ts + task.dur!;
    const inside = events
      .filter(
        (e) =>
          e.pid === task.pid &&
          e.tid === task.tid &&
          e !== task &&
          e.ph === 'X' &&
          e.ts >= task.ts &&
          e.ts + (e.dur ?? 0) <= end &&
          !TASKS.has(e.name),
      )
      .sort((a, b) => b.dur! - a.dur!)
      .slice(0, 8)
      .map((e) => `        ${(e.dur! / 1000).toFixed(0).padStart(4)} ms  ${eventName(e)}`);
    lines.push(
      `    task of ${(task.dur! / 1000).toFixed(0)} ms at +${((task.ts - first) / 1000).toFixed(0)} ms; events:`,
      ...inside,
      ...profiledFunctions(profile, task.ts, end),
    );
  }
  return lines;
}

/**
 * Runs one part with the page's main thread traced and profiled, when --profile asks for it;
 * the trace and profile are written for DevTools, and each long task is explained.
 */
async function profiled(page: Page, name: string, run: () => Promise<void>): Promise<void> {
  if (!profileDir) return run();
  const browser = page.context().browser()!;
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 250 });
  // The profiler first: starting it is a long task of its own, kept out of the trace.
  await cdp.send('Profiler.start');
  await browser.startTracing(page, {
    categories: ['toplevel', 'devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8'],
  });
  try {
    await run();
  } finally {
    const { profile } = await cdp.send('Profiler.stop');
    const trace = (await browser.stopTracing()).toString();
    mkdirSync(profileDir, { recursive: true });
    writeFileSync(join(profileDir, `${name}.cpuprofile`), JSON.stringify(profile));
    writeFileSync(join(profileDir, `${name}.trace.json`), trace);
    const events = (JSON.parse(trace) as { traceEvents: TraceEvent[] }).traceEvents;
    console.log(`  ${name}: main-thread tasks over 50 ms in the trace:`);
    for (const line of explainLongTasks(events, profile as CpuProfile)) console.log(line);
    await cdp.detach();
  }
}

function cards(count: number, size: string, seed: number) {
  const dir = mkdtempSync(join(tmpdir(), 'loupe-labeling-bench-'));
  execFileSync(resolve('gpu-runner/.venv/bin/python'), [
    resolve('test/fixtures/generate_cards.py'),
    ...['--out', dir, '--count', String(count), '--seed', String(seed), '--size', size],
  ]);
  const labels = JSON.parse(readFileSync(join(dir, 'labels.json'), 'utf8')) as {
    images: { file: string }[];
  };
  return labels.images.map((i) => join(dir, i.file));
}

const fmt = (w: Watch) => `longest task ${w.longest.toFixed(0)} ms (${w.count} over 50 ms)`;
const summary = (page: Page) => page.getByTestId('dataset-summary').textContent();

async function until(page: Page, check: () => Promise<boolean>, timeoutMs = 600_000) {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    // A CSS query, not getByRole: computing every element's ARIA role each poll made long tasks of
    // its own on the page being measured.
    const alert = page.locator('[role="alert"]');
    if ((await alert.count()) > 0)
      throw new Error(`the page says: ${await alert.first().textContent()}`);
    if (Date.now() > end) throw new Error('timed out');
    await page.waitForTimeout(50);
  }
}

/** The old way, as a reference in the same run: one transaction reading every row at once. */
function readAllAtOnce(page: Page, datasetId: string): Promise<number> {
  return page.evaluate(async (datasetId) => {
    const db = await new Promise<IDBDatabase>((resolve) => {
      const open = indexedDB.open('loupe');
      open.onsuccess = () => resolve(open.result);
    });
    const started = performance.now();
    const tx = db.transaction(['annotations', 'images']);
    const rows = await new Promise<{ sha256: string }[]>((resolve) => {
      const all = tx.objectStore('annotations').index('datasetId').getAll(datasetId);
      all.onsuccess = () => resolve(all.result as { sha256: string }[]);
    });
    const images = tx.objectStore('images');
    await Promise.all(
      rows.map(
        (r) =>
          new Promise((resolve) => {
            images.get(r.sha256).onsuccess = resolve;
          }),
      ),
    );
    db.close();
    return performance.now() - started;
  }, datasetId);
}

async function gridBench(page: Page, origin: string) {
  const datasetId = await seedGridDataset(page, {
    count: gridImages,
    name: 'Grid bench',
    classes: ['card', 'back'],
    unlabeledEvery: 3,
  });
  await page.goto(`${origin}/datasets/${datasetId}`);
  await readLongTasks(page);
  await page.goto(`${origin}/`);
  await readLongTasks(page);
  const referenceMs = await readAllAtOnce(page, datasetId);
  const reference = await readLongTasks(page);

  const started = Date.now();
  await page.goto(`${origin}/datasets/${datasetId}`);
  await until(
    page,
    async () => (await page.getByTestId('image-strip').getByRole('button').count()) > 0,
  );
  const firstCells = Date.now() - started;
  await until(page, async () =>
    ((await page.getByTestId('shown-count').textContent()) ?? '').startsWith(`${gridImages} of`),
  );
  const allRead = Date.now() - started;
  const opening = await readLongTasks(page);
  const grid = page.getByTestId('image-strip');
  for (let i = 1; i <= 40; i++) {
    await grid.evaluate((el, f) => (el.scrollTop = el.scrollHeight * f), i / 40);
    await page.waitForTimeout(16);
  }
  const scrolling = await readLongTasks(page);
  console.log(`grid of ${gridImages} images:`);
  console.log(
    `  reference (one transaction, every row): ${referenceMs.toFixed(0)} ms, ${fmt(reference)}`,
  );
  console.log(
    `  opening: first cells after ${firstCells} ms, every page read after ${allRead} ms, ${fmt(opening)}`,
  );
  console.log(`  scrolling top to bottom in 40 steps: ${fmt(scrolling)}`);
}

async function importBench(page: Page, origin: string) {
  console.log(`generating ${photos} 3-megapixel photos ...`);
  const files = cards(photos, '2000x1500', 5);
  await page.goto(`${origin}/`);
  await createDataset(page, 'Import bench', 'card');
  await readLongTasks(page);
  const started = Date.now();
  await page.getByTestId('add-images').setInputFiles(files);
  await until(page, async () => ((await summary(page)) ?? '').includes(`${photos} image(s)`));
  const seconds = (Date.now() - started) / 1000;
  const during = await readLongTasks(page);
  // The reference: the same files handed to a bare file input that no code listens to. What
  // Chromium does to hand over the chosen files (one task, in native code) shows here too.
  await page.evaluate(() => {
    const input = Object.assign(document.createElement('input'), { type: 'file', multiple: true });
    input.id = 'bare-file-input';
    document.body.append(input);
  });
  await readLongTasks(page);
  await page.locator('#bare-file-input').setInputFiles(files);
  const bare = await readLongTasks(page);
  console.log(`import of ${photos} 3-MP JPEGs: ${seconds.toFixed(1)} s, ${fmt(during)}`);
  console.log(`  reference: the same files handed to a bare <input type=file>: ${fmt(bare)}`);
}

async function bigPhotoBench(page: Page, origin: string) {
  const [file] = cards(1, '4000x3000', 9);
  await page.goto(`${origin}/`);
  await createDataset(page, 'Big photo bench', 'card');
  const datasetUrl = page.url();
  await page.getByTestId('add-images').setInputFiles(file!);
  await until(page, async () => ((await summary(page)) ?? '').includes('1 image(s)'));
  await page.evaluate(async () => {
    const id = location.pathname.split('/').at(-1)!;
    const db = await new Promise<IDBDatabase>((resolve) => {
      const open = indexedDB.open('loupe');
      open.onsuccess = () => resolve(open.result);
    });
    const store = db.transaction('annotations', 'readwrite').objectStore('annotations');
    const cursor = store.index('datasetId').openCursor(id);
    await new Promise<void>((resolve) => {
      cursor.onsuccess = () => {
        const c = cursor.result!;
        // 999: the drawn box makes 1,000, the most an image may hold.
        const boxes = Array.from({ length: 999 }, (_, i) => ({
          classIndex: 0,
          x: (i % 40) / 40,
          y: Math.floor(i / 40) / 25,
          w: 0.02,
          h: 0.03,
        }));
        c.update({ ...c.value, boxes }).onsuccess = () => resolve();
      };
    });
    db.close();
  });
  await page.goto(datasetUrl);
  await until(page, async () => ((await summary(page)) ?? '').includes('999 box(es)'));
  await until(page, async () => (await page.getByTestId('box').count()) === 999);
  const opening = await readLongTasks(page);
  const canvas = (await page.getByTestId('box-canvas').boundingBox())!;
  await page.mouse.move(canvas.x + canvas.width * 0.31, canvas.y + canvas.height * 0.33);
  await page.mouse.down();
  for (let i = 1; i <= 10; i++) {
    await page.mouse.move(
      canvas.x + canvas.width * (0.31 + i * 0.01),
      canvas.y + canvas.height * (0.33 + i * 0.01),
    );
  }
  await page.mouse.up();
  await until(page, async () => ((await summary(page)) ?? '').includes('1000 box(es)'));
  const drawing = await readLongTasks(page);
  // The drawn box is selected: drag its inside, then its bottom-right handle, 10 moves each.
  const editing = await dragSelectedBox(page, canvas);
  const stage = page.locator('.stage');
  await stage.scrollIntoViewIfNeeded();
  const rect = (await stage.boundingBox())!;
  const cx = rect.x + rect.width / 2;
  const cy = rect.y + rect.height / 2;
  await page.mouse.move(cx, cy);
  for (let i = 0; i < 20; i++) {
    await page.mouse.wheel(0, i < 10 ? -120 : 60);
    await page.waitForTimeout(16);
  }
  const zooming = await readLongTasks(page);
  await stage.focus();
  await page.keyboard.down(' ');
  await page.mouse.down();
  for (let i = 0; i < 30; i++) await page.mouse.move(cx - i * 5, cy - i * 3);
  await page.mouse.up();
  await page.keyboard.up(' ');
  const panning = await readLongTasks(page);
  console.log('12-MP photo (4000x3000) holding 999 boxes (1,000 after the draw):');
  console.log(`  opening: ${fmt(opening)}`);
  console.log(`  wheel zoom, 20 steps: ${fmt(zooming)}`);
  console.log(`  space-drag pan, 30 moves: ${fmt(panning)}`);
  console.log(`  drawing a box (and its autosave): ${fmt(drawing)}`);
  console.log(`  moving and resizing it, 10 moves each (and autosaves): ${fmt(editing)}`);
}

async function dragSelectedBox(page: Page, canvas: { x: number; y: number; width: number }) {
  const height = (await page.getByTestId('box-canvas').boundingBox())!.height;
  const at = (x: number, y: number) => ({
    x: canvas.x + canvas.width * x,
    y: canvas.y + height * y,
  });
  const drag = async (from: { x: number; y: number }, to: { x: number; y: number }) => {
    await page.mouse.move(from.x, from.y);
    await page.mouse.down();
    for (let i = 1; i <= 10; i++) {
      await page.mouse.move(
        from.x + ((to.x - from.x) * i) / 10,
        from.y + ((to.y - from.y) * i) / 10,
      );
    }
    await page.mouse.up();
  };
  await drag(at(0.36, 0.38), at(0.46, 0.48));
  const se = (await page.locator('[data-handle="se"] .grip').boundingBox())!;
  await drag({ x: se.x + se.width / 2, y: se.y + se.height / 2 }, at(0.6, 0.62));
  await until(page, async () =>
    (await page.getByTestId('save-state').textContent())!.includes('All changes saved'),
  );
  // Numbers only count if the box really moved: its left edge went from 0.31 to about 0.41.
  const left = await page.locator('.box.selected rect').getAttribute('x');
  if (Number(left) / canvas.width < 0.4) throw new Error('the selected box did not move');
  return readLongTasks(page);
}

const loupe = await startLabelingServer(webDir ? resolve(webDir) : undefined);
console.log(
  `load average at start: ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
const browser = await launchChromium();
try {
  const page = await (
    await browser.newContext({ viewport: { width: 1280, height: 900 } })
  ).newPage();
  page.on('crash', () => console.error('the page crashed'));
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await watchLongTasks(page);
  await page.goto(`${loupe.url}/?token=${loupe.tokens.userToken}`);
  await page.getByRole('button', { name: 'Create' }).waitFor();
  // The app has opened (and so created) its database once the home page lists datasets.
  await page.waitForFunction(async () =>
    (await indexedDB.databases()).some((d) => d.name === 'loupe' && (d.version ?? 0) > 1),
  );
  if (parts.includes('grid')) await profiled(page, 'grid', () => gridBench(page, loupe.url));
  if (parts.includes('photo')) await profiled(page, 'photo', () => bigPhotoBench(page, loupe.url));
  if (parts.includes('import')) await profiled(page, 'import', () => importBench(page, loupe.url));
} finally {
  await browser.close();
  await loupe.close();
}
