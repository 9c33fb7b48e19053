// The files a drag and drop brings, folders included: a dropped folder is walked (every level)
// through the File System entries API, which Chromium, Firefox and Safari all offer as
// webkitGetAsEntry. Where it is absent, the plain file list is used (no folders).

/** The parts of FileSystemEntry this module uses, so it can be walked without a DOM. */
export interface DropEntry {
  isFile: boolean;
  isDirectory: boolean;
  name: string;
  file?: (ok: (file: File) => void, fail: (error: unknown) => void) => void;
  createReader?: () => {
    readEntries: (ok: (entries: DropEntry[]) => void, fail: (error: unknown) => void) => void;
  };
}

/** Every file under these entries, depth first, in the order the browser lists them. */
export async function filesOfEntries(entries: readonly DropEntry[]): Promise<File[]> {
  const out: File[] = [];
  for (const entry of entries) {
    if (entry.isFile && entry.file) {
      out.push(await new Promise<File>((ok, fail) => entry.file!(ok, fail)));
    } else if (entry.isDirectory && entry.createReader) {
      const reader = entry.createReader();
      // readEntries answers in batches (100 in Chromium) until it answers an empty one.
      for (;;) {
        const batch = await new Promise<DropEntry[]>((ok, fail) => reader.readEntries(ok, fail));
        if (batch.length === 0) break;
        out.push(...(await filesOfEntries(batch)));
      }
    }
  }
  return out;
}

/** True while a drag carries files (not text or a link), so the page can offer to take them. */
export function carriesFiles(data: DataTransfer | null): boolean {
  return !!data && Array.from(data.types).includes('Files');
}

/**
 * The dropped files, folders walked. The entries are taken before the first await: a
 * DataTransfer's items are emptied once the drop event has been handled.
 */
export async function droppedFiles(data: DataTransfer): Promise<File[]> {
  const entries = Array.from(data.items)
    .filter((item) => item.kind === 'file')
    .map((item) => item.webkitGetAsEntry?.() as DropEntry | null | undefined);
  if (entries.length > 0 && entries.every((e) => e)) {
    return filesOfEntries(entries as DropEntry[]);
  }
  return Array.from(data.files);
}
