import { crc32, deflateRawSync } from 'node:zlib';

/** One entry of a hand-built zip; every field a hostile archive could lie about is settable. */
export type CraftedEntry = {
  name: string;
  data: Uint8Array;
  deflate?: boolean;
  /** The uncompressed size the headers claim (default: the real one). */
  declaredSize?: number;
  /** Unix mode stored in the upper half of the external attributes (0o120777: a symlink). */
  unixMode?: number;
  /** Point this entry's directory record at an earlier entry's local header (overlap). */
  sameDataAs?: number;
};

/**
 * Builds a zip byte by byte so tests can make archives no zip library would write: lying sizes,
 * links, `../` names, entries sharing data. Test helper only.
 */
export function craftZip(entries: CraftedEntry[]): Buffer {
  const locals: Buffer[] = [];
  const central: Buffer[] = [];
  const offsets: number[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8');
    const data = e.deflate ? deflateRawSync(e.data) : Buffer.from(e.data);
    const size = e.declaredSize ?? e.data.length;
    const crc = crc32(e.data);
    const method = e.deflate ? 8 : 0;
    let at = offset;
    if (e.sameDataAs === undefined) {
      const local = Buffer.alloc(30);
      local.writeUInt32LE(0x04034b50, 0);
      local.writeUInt16LE(20, 4);
      local.writeUInt16LE(0x800, 6);
      local.writeUInt16LE(method, 8);
      local.writeUInt32LE(crc, 14);
      local.writeUInt32LE(data.length, 18);
      local.writeUInt32LE(size, 22);
      local.writeUInt16LE(name.length, 26);
      locals.push(local, name, data);
      offset += 30 + name.length + data.length;
    } else {
      at = offsets[e.sameDataAs] ?? 0;
    }
    offsets.push(at);
    const record = Buffer.alloc(46);
    record.writeUInt32LE(0x02014b50, 0);
    record.writeUInt16LE((3 << 8) | 20, 4); // made by Unix, so the mode is read
    record.writeUInt16LE(20, 6);
    record.writeUInt16LE(0x800, 8);
    record.writeUInt16LE(method, 10);
    record.writeUInt32LE(crc, 16);
    record.writeUInt32LE(data.length, 20);
    record.writeUInt32LE(size, 24);
    record.writeUInt16LE(name.length, 28);
    record.writeUInt32LE(((e.unixMode ?? 0o100644) << 16) >>> 0, 38);
    record.writeUInt32LE(at, 42);
    central.push(record, name);
  }
  const directory = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}
