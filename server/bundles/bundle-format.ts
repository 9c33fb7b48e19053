/**
 * Loupe's own offline-transfer format: one .zip holding `manifest.json` (the canonical manifest
 * of a sealed dataset version, byte for byte what its id hashes) and `blobs/<sha256>` (each image,
 * stored uncompressed: photos do not deflate, and stored entries let the size be known up front).
 * Nothing else may be in it; a reader refuses every other name rather than guessing.
 */
export const MANIFEST_ENTRY = 'manifest.json';
export const BLOBS_DIR = 'blobs/';
export const blobEntryName = (sha256: string) => `${BLOBS_DIR}${sha256}`;

export type EntryName =
  | { kind: 'manifest' }
  | { kind: 'blob'; sha256: string }
  | { kind: 'directory' }
  | { kind: 'unsafe'; reason: string }
  | { kind: 'unknown' };

const SYMLINK = 0o120000;
const FILE_TYPE_MASK = 0o170000;

/**
 * Names a zip entry, refusing any that could write outside a target folder if someone unpacked
 * the archive (zip slip) or that is a link, whatever the entry turns out to be.
 * `unixMode` is the upper half of the entry's external attributes (0 when made on Windows).
 */
export function classifyEntry(name: string, unixMode = 0): EntryName {
  if (name.length === 0) return { kind: 'unsafe', reason: 'the entry has no name' };
  if (name.includes('\0')) return { kind: 'unsafe', reason: 'the name contains a NUL byte' };
  if (name.includes('\\')) {
    return { kind: 'unsafe', reason: 'the name contains a backslash (a Windows path separator)' };
  }
  if (/^[a-zA-Z]:/.test(name))
    return { kind: 'unsafe', reason: 'the name starts with a drive letter' };
  if (name.startsWith('/')) return { kind: 'unsafe', reason: 'the name is an absolute path' };
  if (name.split('/').some((part) => part === '..')) {
    return { kind: 'unsafe', reason: "the name climbs out of the archive ('..')" };
  }
  if ((unixMode & FILE_TYPE_MASK) === SYMLINK) {
    return { kind: 'unsafe', reason: 'the entry is a symbolic link' };
  }
  if (name === MANIFEST_ENTRY) return { kind: 'manifest' };
  if (name === BLOBS_DIR) return { kind: 'directory' };
  const blob = /^blobs\/([0-9a-f]{64})$/.exec(name);
  if (blob?.[1]) return { kind: 'blob', sha256: blob[1] };
  return { kind: 'unknown' };
}
