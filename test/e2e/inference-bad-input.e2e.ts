/**
 * Bad model input in Chromium, through the built worker: a file that is not ONNX, metadata that
 * does not match the graph's input or outputs, metadata with the wrong class count, and a model
 * above the device's size limit each fail with a clear InferenceError, and the model loaded
 * before keeps giving the same answers.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelMetadata } from '../../server/contract';
import type { Detection } from '../../web/lib/inference/types';
import {
  inferenceFixture,
  loadInPage,
  openHarness,
  runInPage,
  type HarnessPage,
} from '../fixtures/inference-harness';
import { fixtureImages } from '../../server/prediction/fixture-model';

const detectDir = inferenceFixture('detect');
const bad = mkdtempSync(join(tmpdir(), 'loupe-bad-models-'));
const metadata = JSON.parse(
  readFileSync(join(detectDir, 'metadata.json'), 'utf8'),
) as ModelMetadata;
const photo = `images/${fixtureImages(detectDir)[0]!.file}`;
let h: HarnessPage;
let before: Detection[] = [];

beforeAll(async () => {
  copyFileSync(join(detectDir, 'model.onnx'), join(bad, 'model.onnx'));
  writeFileSync(join(bad, 'not-onnx.onnx'), 'this is a text file, not a model\n'.repeat(50));
  // A truncated export: the first half of a real model.onnx.
  const bytes = readFileSync(join(detectDir, 'model.onnx'));
  writeFileSync(join(bad, 'truncated.onnx'), bytes.subarray(0, bytes.length >> 1));
  const variants: Record<string, ModelMetadata> = {
    'wrong-input-name.json': { ...metadata, inputName: 'pixels' },
    'wrong-input-shape.json': { ...metadata, inputShape: [1, 3, 640, 640], imgsz: 640 },
    'wrong-outputs.json': { ...metadata, outputNames: ['output0', 'protos'] },
    'wrong-classes.json': { ...metadata, classNames: ['card', 'back', 'sleeve'] },
    'wrong-task.json': { ...metadata, task: 'classify' },
  };
  for (const [file, m] of Object.entries(variants))
    writeFileSync(join(bad, file), JSON.stringify(m));
  writeFileSync(join(bad, 'metadata.json'), JSON.stringify(metadata));
  h = await openHarness({ detect: detectDir, bad });
  const loaded = await loadInPage(h, 'detect');
  if (!loaded.ok) throw new Error(loaded.error.message);
  const [first] = await runInPage<{ detections: Detection[] }>(h, 'detect', [photo], {
    conf: 0.01,
  });
  if (!first?.ok) throw new Error('the good model does not run');
  before = first.value.detections;
});

afterAll(async () => {
  await h?.close();
  rmSync(bad, { recursive: true, force: true });
});

const cases: [
  string,
  { model?: string; metadata?: string; maxModelBytes?: number },
  string,
  RegExp,
][] = [
  ['a file that is not ONNX', { model: 'not-onnx.onnx' }, 'invalid-model', /not an ONNX model/],
  ['a truncated ONNX file', { model: 'truncated.onnx' }, 'invalid-model', /not an ONNX model/],
  [
    'metadata naming another input',
    { model: 'model.onnx', metadata: 'wrong-input-name.json' },
    'invalid-model',
    /input "pixels".*"images".*does not belong/,
  ],
  [
    'metadata with another input size',
    { model: 'model.onnx', metadata: 'wrong-input-shape.json' },
    'invalid-model',
    /\[1, 3, 96, 96\].*\[1, 3, 640, 640\].*does not belong/,
  ],
  [
    'metadata naming other outputs',
    { model: 'model.onnx', metadata: 'wrong-outputs.json' },
    'invalid-model',
    /outputs output0, protos.*output0/,
  ],
  [
    'metadata with the wrong class count',
    { model: 'model.onnx', metadata: 'wrong-classes.json' },
    'invalid-model',
    /3 classes \(card, back, sleeve\).*\[1, 7, N\].*\[1, 6, 189\]/,
  ],
  [
    'metadata with the wrong task',
    { model: 'model.onnx', metadata: 'wrong-task.json' },
    // A detect graph under classify metadata: the output shape gives it away.
    'invalid-model',
    /a classify model with 2 classes \(card, back\) has output \[1, 2\].*\[1, 6, 189\]/,
  ],
  [
    'a model too large for the device',
    { model: 'model.onnx', maxModelBytes: 1024 * 1024 },
    'model-too-large',
    /more than this device can load \(1\.0 MiB\)/,
  ],
];

describe('bad model input, in Chromium', () => {
  it.each(cases)(
    'refuses %s and keeps the previous model running',
    async (_, files, code, message) => {
      const reply = await loadInPage(h, 'bad', { metadata: 'metadata.json', ...files });
      expect(reply.ok).toBe(false);
      if (reply.ok) return;
      expect(reply.error.code).toBe(code);
      expect(reply.error.message).toMatch(message);
      const [after] = await runInPage<{ detections: Detection[] }>(h, 'detect', [photo], {
        conf: 0.01,
      });
      expect(after?.ok).toBe(true);
      if (after?.ok) expect(after.value.detections).toEqual(before);
    },
  );
});
