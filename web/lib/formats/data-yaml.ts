// The small part of YAML a YOLO data.yaml uses: `key: value` lines and `names` as a map
// (`0: person`), a block list (`- person`) or a flow list (`[person, car]`). Written back in the
// map form Ultralytics writes.
import { FormatError } from './format-types';

function unquote(value: string): string {
  const v = value.trim();
  if ((v.startsWith("'") && v.endsWith("'")) || (v.startsWith('"') && v.endsWith('"'))) {
    return v.slice(1, -1);
  }
  return v;
}

/** Strips a comment that starts with " #" (not inside quotes; names rarely hold '#'). */
function stripComment(line: string): string {
  const match = /\s#/.exec(line);
  return line.trimStart().startsWith('#') ? '' : match ? line.slice(0, match.index) : line;
}

export function parseDataYaml(text: string): { names: string[]; fields: Record<string, string> } {
  const fields: Record<string, string> = {};
  const byIndex = new Map<number, string>();
  const list: string[] = [];
  let inNames = false;
  for (const raw of text.split(/\r?\n/)) {
    const line = stripComment(raw);
    if (!line.trim()) continue;
    const indented = /^\s/.test(line);
    if (inNames && indented) {
      const item = /^\s*-\s*(.*)$/.exec(line);
      if (item) list.push(unquote(item[1] ?? ''));
      const entry = /^\s*(\d+)\s*:\s*(.*)$/.exec(line);
      if (entry) byIndex.set(Number(entry[1]), unquote(entry[2] ?? ''));
      continue;
    }
    inNames = false;
    const kv = /^([\w-]+)\s*:\s*(.*)$/.exec(line);
    if (!kv) continue;
    const [, key = '', value = ''] = kv;
    if (key === 'names') {
      const flow = /^\[(.*)\]$/.exec(value.trim());
      if (flow) list.push(...(flow[1] ?? '').split(',').map(unquote).filter(Boolean));
      else inNames = value.trim() === '';
    } else {
      fields[key] = unquote(value);
    }
  }
  let names = list;
  if (byIndex.size > 0) {
    names = [];
    for (let i = 0; i < byIndex.size; i++) {
      const name = byIndex.get(i);
      if (name === undefined) {
        throw new FormatError(`data.yaml: the class names skip number ${i}; number them 0, 1, 2 …`);
      }
      names.push(name);
    }
  }
  if (names.length === 0) throw new FormatError('data.yaml lists no class names (names:).');
  return { names, fields };
}

function quote(name: string): string {
  return /^[\w][\w .-]*$/.test(name) && !/\s$/.test(name) ? name : JSON.stringify(name);
}

export function writeDataYaml(names: readonly string[], fields: Record<string, string>): string {
  const head = Object.entries(fields).map(([k, v]) => `${k}: ${v}`);
  const body = names.map((n, i) => `  ${i}: ${quote(n)}`);
  return [...head, 'names:', ...body, ''].join('\n');
}
