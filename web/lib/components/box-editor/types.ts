import type { Box } from '$contract';

/** A model's suggestion: drawn read-only (dashed, with its confidence) until a page accepts it. */
export interface Prediction extends Box {
  /** 0 to 1. */
  confidence: number;
}
