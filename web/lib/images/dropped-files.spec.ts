import { describe, expect, it } from 'vitest';
import { filesOfEntries, type DropEntry } from './dropped-files';

/** A folder tree shaped like the browser's entries, listing in batches of two as Chromium does. */
function file(name: string): DropEntry {
  return { isFile: true, isDirectory: false, name, file: (ok) => ok(new File(['x'], name)) };
}
function folder(name: string, children: DropEntry[]): DropEntry {
  return {
    isFile: false,
    isDirectory: true,
    name,
    createReader: () => {
      let at = 0;
      return {
        readEntries: (ok) => {
          ok(children.slice(at, at + 2));
          at += 2;
        },
      };
    },
  };
}

describe('filesOfEntries', () => {
  it('walks every level of a dropped folder, through every batch', async () => {
    const tree = [
      file('top.jpg'),
      folder('cards', [
        file('a.jpg'),
        file('b.jpg'),
        file('c.jpg'),
        folder('backs', [file('d.jpg')]),
        folder('empty', []),
      ]),
    ];
    const files = await filesOfEntries(tree);
    expect(files.map((f) => f.name)).toEqual(['top.jpg', 'a.jpg', 'b.jpg', 'c.jpg', 'd.jpg']);
  });
});
