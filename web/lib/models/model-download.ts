import { ResumableDownload, type DownloadProgress } from './resumable-download';

export type { DownloadProgress } from './resumable-download';

/** URL of a model version's ONNX file on this server. */
export const modelFileUrl = (modelId: string) => `/api/models/${modelId}/model.onnx`;

/**
 * Downloads a model version's ONNX file once, for a page that loads it straight into a worker
 * (no storage): bytes are reported as they arrive and a cut connection resumes where it stopped.
 */
export async function downloadModel(
  modelId: string,
  onProgress: (p: DownloadProgress) => void = () => {},
  signal?: AbortSignal,
): Promise<ArrayBuffer> {
  const download = new ResumableDownload(modelFileUrl(modelId), null, null);
  const blob = await download.run({ onProgress, ...(signal ? { signal } : {}) });
  return blob.arrayBuffer();
}
