/**
 * Predictions over HTTP for clients that cannot run a model: decode the image on the server,
 * then run the browser's own pure pipeline (web/lib/inference/pixel-pipeline.ts) on
 * onnxruntime-node, so the answer equals what the in-browser worker gives for the same image.
 */
import { buffer } from 'node:stream/consumers';
import type { ModelVersion, Prediction, PredictionBatch, PredictQuery } from '../contract';
import { AppError } from '../http/app-error';
import type { ModelService } from '../services/model.service';
import { runPixels, warmUp } from '../../web/lib/inference/pixel-pipeline';
import { describeError, InferenceError } from '../../web/lib/inference/types';
import { decodeImage, type PredictImage } from './image-decoder';
import { openOnnxSession, type NodeSession } from './onnx-session';
import { engineStatus, loadEngine, type Engine } from './predict-engine';
import { readPredictImages } from './predict-request';
import { toPrediction } from './prediction-format';
import { SessionCache } from './session-cache';

export interface PredictorOptions {
  /** The largest image accepted, in bytes. */
  maxImageBytes: number;
  /** Model sessions kept loaded, most recently used first. */
  cachedSessions?: number;
}

export class PredictorService {
  private readonly sessions: SessionCache<NodeSession>;

  constructor(
    private readonly models: ModelService,
    private readonly options: PredictorOptions,
  ) {
    this.sessions = new SessionCache(options.cachedSessions ?? 2, (id) => this.open(id));
  }

  status() {
    return engineStatus();
  }

  /** One image (raw body) answers a Prediction; a multipart batch answers a PredictionBatch. */
  async predict(
    modelId: string,
    request: Request,
    query: PredictQuery,
  ): Promise<Prediction | PredictionBatch> {
    const model = this.models.get(modelId);
    const engine = await this.engine();
    const { batch, images } = await readPredictImages(request, this.options.maxImageBytes);
    const predictions: Prediction[] = [];
    for (const image of images)
      predictions.push(await this.predictOne(engine, model, image, query));
    return batch ? { predictions } : predictions[0]!;
  }

  private async predictOne(
    engine: Engine,
    model: ModelVersion,
    image: PredictImage,
    query: PredictQuery,
  ): Promise<Prediction> {
    const t0 = performance.now();
    const pixels = await decodeImage(engine.sharp, image);
    const decodeMs = performance.now() - t0;
    const { conf, iou, maxDet, topK } = query;
    const options = { conf, iou, maxDet, multiLabel: false, mode: 'predict' as const };
    const result = await this.sessions
      .use(model.id, (session) => runPixels(session, model.metadata, pixels, options, topK))
      .catch((error: unknown) => {
        throw predictFailed(model.id, error);
      });
    return toPrediction(model.id, result, decodeMs);
  }

  private async engine(): Promise<Engine> {
    const status = await engineStatus();
    if (!status.available) {
      throw new AppError(
        503,
        'predict_unavailable',
        status.reason,
        'Reinstall the npm packages on the server (npm ci), then restart it.',
      );
    }
    return loadEngine();
  }

  /** Loads the model's ONNX file from the blob store and checks it runs as its metadata says. */
  private async open(modelId: string): Promise<NodeSession> {
    const { ort } = await loadEngine();
    const model = this.models.get(modelId);
    const bytes = await buffer(this.models.openOnnx(modelId).read());
    const session = await openOnnxSession(ort, new Uint8Array(bytes));
    try {
      await warmUp(session, model.metadata);
    } catch (error) {
      await session.release();
      throw error;
    }
    return session;
  }
}

function predictFailed(modelId: string, error: unknown) {
  if (error instanceof AppError) return error;
  const invalid = error instanceof InferenceError && error.code === 'invalid-model';
  return new AppError(
    500,
    invalid ? 'model_unusable' : 'predict_failed',
    `model version ${modelId} could not predict: ${describeError(error)}`,
    invalid
      ? "The model's files do not fit its metadata; train or export it again."
      : 'Try again; if it keeps failing, check the server log.',
  );
}
