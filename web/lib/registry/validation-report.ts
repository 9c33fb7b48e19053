import { z } from 'zod';

/**
 * validation.json, written by the gpu-runner (gpu-runner/loupe_runner/report.py and job.py): the
 * final validation of best.pt and onnxruntime benchmarks. Every part is optional here, since an
 * older runner or a run that made no plots leaves some out; numbers it could not compute are null.
 */
const Num = z.number().nullable().optional();

const ClassResult = z.object({
  classIndex: z.number().optional(),
  name: z.string(),
  precision: Num,
  recall: Num,
  mAP50: Num,
  'mAP50-95': Num,
  instances: Num,
  mask: z.object({ precision: Num, recall: Num, mAP50: Num, 'mAP50-95': Num }).optional(),
});
export type ClassResult = z.infer<typeof ClassResult>;

const Benchmark = z.object({
  file: z.string().optional(),
  provider: z.string().optional(),
  onnxruntimeVersion: z.string().optional(),
  inputShape: z.array(z.number()).optional(),
  runs: z.number().optional(),
  medianMs: z.number(),
  minMs: z.number().optional(),
  maxMs: z.number().optional(),
});
export type Benchmark = z.infer<typeof Benchmark>;

const ConfusionMatrix = z
  .object({ names: z.array(z.string()), matrix: z.array(z.array(z.number())) })
  .nullable()
  .default(null);

/** best.pt validated once more on the images the job held out (a test split), when it had one. */
const TestSplitReport = z.object({
  images: z.number().int().min(0),
  metrics: z.record(z.string(), z.number().nullable()).default({}),
  perClass: z.array(ClassResult).default([]),
  confusionMatrix: ConfusionMatrix,
});
export type TestSplitReport = z.infer<typeof TestSplitReport>;

export const ValidationReport = z.object({
  metrics: z.record(z.string(), z.number().nullable()).default({}),
  perClass: z.array(ClassResult).default([]),
  confusionMatrix: ConfusionMatrix,
  speedMs: z.object({ preprocess: Num, inference: Num, postprocess: Num }).nullable().default(null),
  onnxBenchmark: Benchmark.nullable().default(null),
  onnxFp16Benchmark: Benchmark.nullable().default(null),
  test: TestSplitReport.nullable().default(null),
});
export type ValidationReport = z.infer<typeof ValidationReport>;

/** A report from its JSON; null when it is not one (so a page shows the rest of the model). */
export function parseValidationReport(json: unknown): ValidationReport | null {
  const parsed = ValidationReport.safeParse(json);
  return parsed.success ? parsed.data : null;
}

/** ms per image of the exported ONNX on the runner's CPU, else of PyTorch during validation. */
export function inferenceMs(report: ValidationReport | null): number | undefined {
  return report?.onnxBenchmark?.medianMs ?? report?.speedMs?.inference ?? undefined;
}
