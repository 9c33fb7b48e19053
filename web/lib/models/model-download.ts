import { authorizedFetch } from '$lib/api/client';
import { unwrap } from '$lib/api/api-error';

export type DownloadProgress = { received: number; total: number };

/** Downloads a model version's ONNX file, reporting bytes as they arrive. */
export async function downloadModel(
  modelId: string,
  onProgress: (p: DownloadProgress) => void = () => {},
  signal?: AbortSignal,
): Promise<ArrayBuffer> {
  const response = await authorizedFetch(`/api/models/${modelId}/model.onnx`, { signal });
  if (!response.ok || !response.body) await unwrap(response);
  const total = Number(response.headers.get('content-length') ?? 0);
  const bytes = new Uint8Array(total);
  const chunks: Uint8Array[] = [];
  let received = 0;
  const reader = response.body!.getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    if (received + value.length <= total) bytes.set(value, received);
    else chunks.push(value);
    received += value.length;
    onProgress({ received, total });
  }
  if (received !== total) {
    throw new Error(`the model download was cut short (${received} of ${total} bytes); try again`);
  }
  return bytes.buffer;
}
