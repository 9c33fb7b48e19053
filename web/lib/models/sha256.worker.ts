// Hashes downloaded model files off the main thread: reading and hashing tens of megabytes must
// not stall the camera preview or the scan loop's frame callbacks.
import { expose } from 'comlink';
import { toHex } from '$lib/images/image-header';

const api = {
  /** Hex SHA-256 of the blob's bytes. */
  sha256: async (blob: Blob): Promise<string> =>
    toHex(await crypto.subtle.digest('SHA-256', await blob.arrayBuffer())),
};

export type Sha256WorkerApi = typeof api;

expose(api);
