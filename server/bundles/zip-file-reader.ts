import { close, createReadStream, fstat, open, read } from 'node:fs';
import { promisify } from 'node:util';
import yauzl, { type Options, type ZipFile } from 'yauzl';

/**
 * Entry data is read in chunks this large. yauzl's own file reader uses the stream default
 * (16 KiB), which made a bundle import spend most of its time on one read, one hash update and
 * one write per 16 KiB; a whole photo now usually passes in one chunk. Memory stays bounded:
 * at most this much per entry being read.
 */
const CHUNK_BYTES = 1024 * 1024;

/**
 * yauzl's random-access reader over one open file: positional reads, so entries can be read
 * side by side without sharing a file position.
 */
class FileReader extends yauzl.RandomAccessReader {
  constructor(private readonly fd: number) {
    super();
  }

  override _readStreamForRange(start: number, end: number) {
    // fs's `end` is inclusive, yauzl's is not. The file is shared by every entry's stream and
    // closed once, by `close`: a stream destroyed early must leave it open.
    return createReadStream('', {
      fd: this.fd,
      fs: { open, read, close: (_fd: number, done: (e: null) => void) => done(null) },
      start,
      end: end - 1,
      autoClose: false,
      highWaterMark: CHUNK_BYTES,
    });
  }

  /** Headers and the central directory: small reads straight from the file, no stream. */
  override read(
    buffer: Buffer,
    offset: number,
    length: number,
    position: number,
    callback: (err: Error | null) => void,
  ) {
    read(this.fd, buffer, offset, length, position, (error, got) => {
      if (error) return callback(error);
      if (got === length) return callback(null);
      if (got === 0) return callback(new Error('unexpected end of file'));
      this.read(buffer, offset + got, length - got, position + got, callback);
    });
  }

  override close(callback: (err: Error | null) => void) {
    close(this.fd, callback);
  }
}

/** `yauzl.open`, with reads sized for throughput (see CHUNK_BYTES). */
export async function openZipFile(path: string, options: Options): Promise<ZipFile> {
  const fd = await promisify(open)(path, 'r');
  try {
    const { size } = await promisify(fstat)(fd);
    return await yauzl.fromRandomAccessReaderPromise(new FileReader(fd), size, options);
  } catch (error) {
    await promisify(close)(fd);
    throw error;
  }
}
