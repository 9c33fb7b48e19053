/**
 * Reads the images of a predict request: one image as the raw body (content type image/jpeg,
 * image/png or image/webp), or a batch as multipart/form-data with one `image` part per image.
 * Every limit is checked while reading, so nothing larger than allowed is held in memory.
 */
import { MAX_PREDICT_BATCH, PREDICT_IMAGE_TYPES } from '../contract';
import { AppError } from '../http/app-error';
import type { PredictImage } from './image-decoder';

export interface PredictImages {
  /** True for multipart: the answer is a list even for one image. */
  batch: boolean;
  images: PredictImage[];
}

const tooLarge = (label: string, maxBytes: number) =>
  new AppError(
    413,
    'image_too_large',
    `${label} is larger than ${maxBytes} bytes`,
    'Resize the photo before sending it, or raise LOUPE_MAX_BLOB_BYTES on the server.',
  );

export async function readPredictImages(request: Request, maxBytes: number) {
  const type = (request.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'multipart/form-data') return readBatch(request, maxBytes);
  if ((PREDICT_IMAGE_TYPES as readonly string[]).includes(type)) {
    const label = 'the image';
    return { batch: false, images: [{ label, bytes: await readCapped(request, maxBytes, label) }] };
  }
  throw new AppError(
    415,
    'unsupported_media_type',
    `predict takes ${PREDICT_IMAGE_TYPES.join(', ')} or multipart/form-data, not "${type || 'no content type'}"`,
    'Send one image as the body with its content type, or several as multipart "image" parts.',
  );
}

async function readBatch(request: Request, maxBytes: number): Promise<PredictImages> {
  let form: FormData;
  try {
    form = await request.formData();
  } catch (error) {
    if (error instanceof AppError) throw error; // the API's body limit
    throw new AppError(400, 'invalid_multipart', 'the multipart/form-data body cannot be parsed');
  }
  const parts = form.getAll('image');
  if (parts.length === 0) {
    throw new AppError(400, 'no_images', 'the multipart body has no "image" part');
  }
  if (parts.length > MAX_PREDICT_BATCH) {
    throw new AppError(
      413,
      'too_many_images',
      `a batch holds at most ${MAX_PREDICT_BATCH} images, this one has ${parts.length}`,
      `Split it into requests of ${MAX_PREDICT_BATCH} images or fewer.`,
    );
  }
  const images = await Promise.all(
    parts.map(async (part, i) => {
      if (typeof part === 'string') {
        throw new AppError(400, 'not_a_file', `image ${i + 1} is a text field, not a file`);
      }
      const label = part.name ? `image ${i + 1} ("${part.name}")` : `image ${i + 1}`;
      if (part.size > maxBytes) throw tooLarge(label, maxBytes);
      return { label, bytes: new Uint8Array(await part.arrayBuffer()) };
    }),
  );
  return { batch: true, images };
}

/** The raw body, refused as soon as it passes `maxBytes` (whatever Content-Length claims). */
async function readCapped(request: Request, maxBytes: number, label: string) {
  const declared = Number(request.headers.get('content-length') ?? NaN);
  if (declared > maxBytes) throw tooLarge(label, maxBytes);
  if (!request.body) throw new AppError(400, 'empty_upload', 'the request has no body');
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of request.body as unknown as AsyncIterable<Uint8Array>) {
    total += chunk.length;
    if (total > maxBytes) throw tooLarge(label, maxBytes);
    chunks.push(chunk);
  }
  if (total === 0) throw new AppError(400, 'empty_upload', 'the request body is empty');
  return new Uint8Array(Buffer.concat(chunks));
}
