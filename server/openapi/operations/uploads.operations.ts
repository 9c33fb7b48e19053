import { z } from 'zod';
import type { Operation } from '../operation';
import { BlobPutReply } from '../replies';

// The tus 1.0 protocol (tus.io), served by @tus/server: its headers are the interface.

const TUS = { 'tus-resumable': z.literal('1.0.0') };
const UploadId = z.object({ id: z.string() });
const TUS_FAILURES = { 404: 'no such upload', 412: 'the client does not speak tus 1.0.0' };

export const uploadOperations: Operation[] = [
  {
    method: 'post',
    path: '/api/uploads',
    tag: 'sync',
    summary: 'Start a resumable image upload (tus)',
    description:
      "Declare the size and the SHA-256 (Upload-Metadata `sha256 <base64>`); the answer's " +
      'Location is where the bytes go. A finished upload is checked as PUT /api/blobs checks ' +
      'one and moved into the blob store. An image the server already holds needs no upload: ' +
      'the answer is 200 with no Location, and no byte is to be sent.',
    auth: ['user'],
    headers: z.object({
      ...TUS,
      'upload-length': z.coerce.number().int().min(1),
      'upload-metadata': z.string().meta({ description: 'sha256 <the hash, base64>' }),
    }),
    replies: {
      200: { description: 'already stored: nothing to send', json: BlobPutReply },
      201: { description: 'created; the Location header names the upload' },
    },
    errors: {
      400: 'no length or sha256 declared',
      412: TUS_FAILURES[412],
      413: 'larger than LOUPE_MAX_BLOB_BYTES',
    },
  },
  {
    method: 'get',
    path: '/api/uploads/:id',
    tag: 'sync',
    summary: 'How many bytes of an upload the server has (also as HEAD)',
    auth: ['user'],
    params: UploadId,
    headers: z.object(TUS),
    replies: { 200: { description: 'the Upload-Offset and Upload-Length headers say it' } },
    errors: TUS_FAILURES,
  },
  {
    method: 'patch',
    path: '/api/uploads/:id',
    tag: 'sync',
    summary: 'Append bytes to an upload at its current offset',
    auth: ['user'],
    params: UploadId,
    headers: z.object({ ...TUS, 'upload-offset': z.coerce.number().int().min(0) }),
    body: { raw: ['application/offset+octet-stream'], description: 'the next bytes' },
    replies: { 204: { description: 'appended; Upload-Offset is the new offset' } },
    errors: {
      ...TUS_FAILURES,
      409: 'Upload-Offset is not where the upload stands',
      413: 'the image header declares more than LOUPE_MAX_IMAGE_PIXELS (the upload is deleted)',
      415: 'the content type is not application/offset+octet-stream',
    },
  },
  {
    method: 'delete',
    path: '/api/uploads/:id',
    tag: 'sync',
    summary: 'Cancel an upload and discard its bytes',
    auth: ['user'],
    params: UploadId,
    headers: z.object(TUS),
    replies: { 204: { description: 'discarded' } },
    errors: TUS_FAILURES,
  },
];
