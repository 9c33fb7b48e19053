/**
 * Benchmark scripts share docs/benchmarks.md: each owns the part between its own start and end
 * markers (`section` includes them) and keeps the rest of the file, hand-written notes included.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

export function writeDocSection(path: string, start: string, end: string, section: string): void {
  const doc = existsSync(path) ? readFileSync(path, 'utf8') : '# Inference benchmarks\n';
  const a = doc.indexOf(start);
  const b = doc.indexOf(end);
  writeFileSync(
    path,
    a >= 0 && b > a
      ? doc.slice(0, a) + section + doc.slice(b + end.length)
      : `${doc.trimEnd()}\n\n${section}\n`,
  );
}
