import { describe, expect, it } from 'vitest';
import { classifyEntry } from './bundle-format';

const sha = 'ab'.repeat(32);

describe('classifyEntry', () => {
  it('knows the manifest and blobs by name', () => {
    expect(classifyEntry('manifest.json')).toEqual({ kind: 'manifest' });
    expect(classifyEntry(`blobs/${sha}`)).toEqual({ kind: 'blob', sha256: sha });
    expect(classifyEntry('blobs/')).toEqual({ kind: 'directory' });
    expect(classifyEntry(`blobs/${sha.toUpperCase()}`)).toEqual({ kind: 'unknown' });
    expect(classifyEntry('readme.txt')).toEqual({ kind: 'unknown' });
  });

  it('refuses every name that could land outside a folder, and links', () => {
    const unsafe = {
      '../x': /climbs out/,
      'blobs/../../x': /climbs out/,
      '/etc/passwd': /absolute/,
      'C:/x': /drive letter/,
      'c:x': /drive letter/,
      'blobs\\x': /backslash/,
      '': /no name/,
      'a\0b': /NUL/,
    };
    for (const [name, reason] of Object.entries(unsafe)) {
      const kind = classifyEntry(name);
      expect(kind.kind, name).toBe('unsafe');
      if (kind.kind === 'unsafe') expect(kind.reason).toMatch(reason);
    }
    expect(classifyEntry(`blobs/${sha}`, 0o120777)).toMatchObject({ kind: 'unsafe' });
    expect(classifyEntry(`blobs/${sha}`, 0o100644)).toMatchObject({ kind: 'blob' });
  });
});
