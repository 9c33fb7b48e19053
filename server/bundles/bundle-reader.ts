import { Transform, type Readable } from 'node:stream';
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import { AppError } from '../http/app-error';
import { bundleOverLimit, invalidBundle, unreadableBundle, unsafeBundle } from './bundle-errors';
import { classifyEntry, MANIFEST_ENTRY } from './bundle-format';
import { openZipFile } from './zip-file-reader';

export type BundleReadLimits = {
  maxEntries: number;
  /** Per image, decompressed. */
  maxEntryBytes: number;
  maxManifestBytes: number;
  /** All entries together, decompressed. */
  maxUnzippedBytes: number;
};

export type BundleContents = {
  /** The SHA-256 each `blobs/<sha256>` entry is named by. */
  blobs: ReadonlySet<string>;
  /** Entries that are neither the manifest nor a blob: never decompressed. */
  ignored: { entry: string; reason: string }[];
  /** manifest.json parsed as JSON, not yet validated. */
  readManifest(): Promise<unknown>;
  /** The decompressed bytes of one blob entry; `observe` sees each chunk as it passes. */
  openBlob(sha256: string, observe?: (chunk: Buffer) => void): Readable;
};

/**
 * Opens a bundle file and checks its whole central directory (count, names, links, duplicates,
 * overlapping data) before a byte is decompressed; then hands it to `use`. Every entry read
 * after that is counted as it is decompressed, against the per-entry and total limits and
 * against the size its header declares, so no header has to be believed.
 */
export async function readBundle<T>(
  path: string,
  limits: BundleReadLimits,
  use: (bundle: BundleContents) => Promise<T>,
): Promise<T> {
  const zip = await openZipFile(path, {
    autoClose: false,
    decodeStrings: false,
    validateEntrySizes: false,
  }).catch((error: Error) => {
    throw unreadableBundle(error.message);
  });
  try {
    if (zip.entryCount > limits.maxEntries) {
      throw bundleOverLimit(
        `its number of entries (${zip.entryCount})`,
        limits.maxEntries,
        'LOUPE_MAX_BUNDLE_ENTRIES',
      );
    }
    const entries = await listEntries(zip);
    await assertNoOverlap(zip, entries);
    const index = indexEntries(entries, limits);
    const budget = { left: limits.maxUnzippedBytes };
    const open = (name: string, entry: Entry, cap: number, observe?: (chunk: Buffer) => void) =>
      meteredStream(zip, name, entry, { cap, budget, limits, observe });
    return await use({
      blobs: new Set(index.blobs.keys()),
      ignored: index.ignored,
      readManifest: async () => {
        if (!index.manifest) throw invalidBundle(`it has no ${MANIFEST_ENTRY}`);
        const chunks: Buffer[] = [];
        const stream = open(MANIFEST_ENTRY, index.manifest, limits.maxManifestBytes);
        for await (const chunk of stream) chunks.push(chunk as Buffer);
        try {
          return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
        } catch (error) {
          throw invalidBundle(`${MANIFEST_ENTRY} is not JSON (${(error as Error).message})`);
        }
      },
      openBlob: (sha256, observe) => {
        const entry = index.blobs.get(sha256);
        if (!entry) throw invalidBundle(`it has no entry blobs/${sha256}`);
        return open(`blobs/${sha256}`, entry, limits.maxEntryBytes, observe);
      },
    });
  } finally {
    zip.close();
  }
}

/** Reads the central directory only: names and sizes, no file data. */
async function listEntries(zip: ZipFile) {
  const entries: Entry[] = [];
  try {
    for await (const entry of zip.eachEntry()) entries.push(entry);
  } catch (error) {
    throw unreadableBundle((error as Error).message);
  }
  return entries;
}

function entryName(entry: Entry) {
  const raw = entry.fileNameRaw.toString('utf8');
  // Some unzippers prefer the Info-ZIP Unicode Path field to the plain name; both must agree.
  const preferred = yauzl.getFileNameLowLevel(
    entry.generalPurposeBitFlag,
    entry.fileNameRaw,
    entry.extraFields,
    true,
  );
  return { name: raw, conflicting: preferred !== raw ? preferred : null };
}

function indexEntries(entries: Entry[], limits: BundleReadLimits) {
  const seen = new Set<string>();
  const blobs = new Map<string, Entry>();
  const ignored: { entry: string; reason: string }[] = [];
  let manifest: Entry | null = null;
  let declared = 0;
  for (const entry of entries) {
    const { name, conflicting } = entryName(entry);
    if (conflicting !== null) {
      throw unsafeBundle(name, `it also carries a different name, ${JSON.stringify(conflicting)}`);
    }
    const kind = classifyEntry(name, entry.externalFileAttributes >>> 16);
    if (kind.kind === 'unsafe') throw unsafeBundle(name, kind.reason);
    if (seen.has(name)) throw unsafeBundle(name, 'the name appears twice in the archive');
    seen.add(name);
    if (entry.isEncrypted()) throw invalidBundle(`entry ${name} is encrypted`);
    declared += entry.uncompressedSize;
    if (kind.kind === 'manifest') manifest = entry;
    else if (kind.kind === 'blob') blobs.set(kind.sha256, entry);
    else if (kind.kind === 'unknown') ignored.push({ entry: name, reason: 'not part of a bundle' });
  }
  // An honest archive says how big it is; refusing early saves decompressing what must fail.
  if (declared > limits.maxUnzippedBytes) {
    throw bundleOverLimit(
      `the size its entries declare (${declared} bytes)`,
      limits.maxUnzippedBytes,
      'LOUPE_MAX_BUNDLE_UNZIPPED_BYTES',
    );
  }
  return { manifest, blobs, ignored };
}

/**
 * Entries whose data share bytes are how the smallest zip bombs are built (one compressed
 * kernel referenced by many headers); an archive we wrote never has them.
 */
async function assertNoOverlap(zip: ZipFile, entries: Entry[]) {
  const spans: { name: string; start: number; end: number }[] = [];
  for (const entry of entries) {
    const header = await zip
      .readLocalFileHeaderPromise(entry, { minimal: true })
      .catch((error: Error) => {
        throw unreadableBundle(error.message);
      });
    const start = entry.relativeOffsetOfLocalHeader;
    spans.push({
      name: entryName(entry).name,
      start,
      end: header.fileDataStart + entry.compressedSize,
    });
  }
  spans.sort((a, b) => a.start - b.start);
  for (let i = 1; i < spans.length; i++) {
    const before = spans[i - 1]!;
    const span = spans[i]!;
    if (span.start < before.end) {
      throw unsafeBundle(span.name, `its data overlaps entry ${JSON.stringify(before.name)}`);
    }
  }
  const last = spans[spans.length - 1];
  if (last && last.end > zip.fileSize) throw unreadableBundle(`entry ${last.name} is cut short`);
}

type MeterOptions = {
  cap: number;
  budget: { left: number };
  limits: BundleReadLimits;
  observe?: ((chunk: Buffer) => void) | undefined;
};

/** Counts the bytes really decompressed, whatever the headers claim, and stops at each limit. */
function meteredStream(zip: ZipFile, name: string, entry: Entry, o: MeterOptions): Readable {
  let count = 0;
  const setting = name === MANIFEST_ENTRY ? 'LOUPE_MAX_JSON_BYTES' : 'LOUPE_MAX_BLOB_BYTES';
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      count += chunk.length;
      o.budget.left -= chunk.length;
      if (count > o.cap) return done(bundleOverLimit(`entry ${name} unpacked`, o.cap, setting));
      if (o.budget.left < 0) {
        const limit = o.limits.maxUnzippedBytes;
        return done(
          bundleOverLimit('the bytes unpacked from it', limit, 'LOUPE_MAX_BUNDLE_UNZIPPED_BYTES'),
        );
      }
      if (count > entry.uncompressedSize) {
        return done(unsafeBundle(name, 'it unpacks to more bytes than its header declares'));
      }
      o.observe?.(chunk);
      done(null, chunk);
    },
    flush(done) {
      if (count === entry.uncompressedSize) return done();
      done(unreadableBundle(`entry ${name} unpacks to fewer bytes than its header declares`));
    },
  });
  zip.openReadStream(entry, (error, source) => {
    if (error) return meter.destroy(unreadableBundle(error.message));
    source.on('error', (e: Error) =>
      meter.destroy(e instanceof AppError ? e : unreadableBundle(e.message)),
    );
    meter.once('close', () => {
      if (source.readableEnded) return;
      source.unpipe(meter);
      source.destroy();
    });
    source.pipe(meter);
  });
  return meter;
}
