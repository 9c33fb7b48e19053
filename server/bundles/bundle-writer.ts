import type { Readable } from 'node:stream';
import yazl from 'yazl';
import { blobEntryName, MANIFEST_ENTRY } from './bundle-format';

export type BundleBlob = { sha256: string; bytes: number; open: () => Readable };

/** A fixed timestamp: the same version always exports to the same bytes. */
const EPOCH = new Date('2020-01-01T00:00:00Z');

/**
 * Streams a bundle: each blob is opened only when the zip reaches it, so memory and open files
 * stay flat however large the dataset. Every entry is stored (photos do not deflate), which
 * makes the archive's size known before the first byte is sent.
 */
export function writeBundle(manifestJson: string, blobs: BundleBlob[]) {
  const zip = new yazl.ZipFile();
  const options = { compress: false, mtime: EPOCH, forceDosTimestamp: true };
  zip.addBuffer(Buffer.from(manifestJson, 'utf8'), MANIFEST_ENTRY, options);
  for (const blob of blobs) {
    zip.addReadStreamLazy(blobEntryName(blob.sha256), { ...options, size: blob.bytes }, (cb) =>
      cb(null, blob.open()),
    );
  }
  const stream = zip.outputStream as Readable;
  // A blob that cannot be read is emitted on the ZipFile; unheard, it would end the process.
  zip.on('error', (error: Error) => stream.destroy(error));
  let size = -1;
  // @types/yazl types this callback without its argument, the archive's final size.
  const onSize = (total: number) => {
    size = total;
  };
  // yazl 3.3 predicts a ZIP64 end record once the central directory passes 64 KiB (about 560
  // entries) but writes none, so its size would be 76 bytes off; always writing it keeps the
  // prediction true, and every ZIP64-aware reader (yauzl, unzip, 7-Zip, browsers' libs) reads it.
  zip.end({ forceZip64Format: true, comment: '' }, onSize as () => void);
  return { stream, size: size >= 0 ? size : null };
}
