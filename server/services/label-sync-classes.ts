// Class changes in label sync (docs/sync-protocol.md, Classes): labels point at classes by index,
// devices change the list concurrently, so a device's class names are followed through the
// changes other devices made since its view, and each change is applied to the server's list
// as the index map that relabels the live dataset. Pure functions, no database.
import type { ClassOp, LiveLabels } from '../contract';

/** Where a class name ended up after these changes; null: deleted along with its labels. */
export function resolveName(name: string, ops: readonly ClassOp[]): string | null {
  let n: string | null = name;
  for (const op of ops) {
    if (n === null) return null;
    if (op.type === 'rename' && op.from === n) n = op.to;
    else if (op.type === 'merge' && op.from === n) n = op.into;
    else if (op.type === 'delete' && op.name === n) n = op.moveTo;
  }
  return n;
}

/** Rewrites every label's class through `map`; null drops the label. */
export function mapLabels(labels: LiveLabels, map: (c: number) => number | null): LiveLabels {
  const shapes = <T extends { classIndex: number }>(list: T[]) =>
    list.flatMap((s) => {
      const c = map(s.classIndex);
      return c === null ? [] : [{ ...s, classIndex: c }];
    });
  return {
    boxes: shapes(labels.boxes),
    polygons: shapes(labels.polygons),
    imageClass: labels.imageClass === null ? null : map(labels.imageClass),
    ...(labels.split ? { split: labels.split } : {}),
  };
}

export interface ClassChange {
  classes: string[];
  /** The change as applied to the server's list (a rename onto an existing name is a merge). */
  op: ClassOp;
  /** How label indices move; absent when none does. */
  map?: (c: number) => number | null;
}

const without = (classes: string[], i: number) => classes.filter((_, j) => j !== i);

function merge(classes: string[], from: string, into: string): ClassChange {
  const fi = classes.indexOf(from);
  const ti = classes.indexOf(into);
  const target = ti > fi ? ti - 1 : ti;
  return {
    classes: without(classes, fi),
    op: { type: 'merge', from, into },
    map: (c) => (c === fi ? target : c > fi ? c - 1 : c),
  };
}

/** `from`'s labels go to `into`: a merge when `into` exists, else `from` takes its name. */
function moveLabels(classes: string[], from: string, into: string): ClassChange | null {
  if (from === into) return null;
  if (classes.includes(into)) return merge(classes, from, into);
  return {
    classes: classes.map((c) => (c === from ? into : c)),
    op: { type: 'rename', from, to: into },
  };
}

/**
 * Applies a device's class change to the server's current list. `resolve` follows the device's
 * names through what other devices changed since. Null: it changes nothing (its class is gone,
 * or already as asked).
 */
export function applyClassOp(
  classes: string[],
  op: ClassOp,
  resolve: (name: string) => string | null,
): ClassChange | null {
  // An added name is new on that device; two devices adding one name mean the same class.
  if (op.type === 'add') {
    return classes.includes(op.name) ? null : { classes: [...classes, op.name], op };
  }
  const from = resolve(op.type === 'delete' ? op.name : op.from);
  if (from === null || !classes.includes(from)) return null;
  if (op.type === 'rename') return moveLabels(classes, from, op.to);
  const target = op.type === 'merge' ? op.into : op.moveTo;
  if (target !== null) {
    // A target deleted since keeps the labels under its name rather than losing them.
    const into = resolve(target);
    return moveLabels(classes, from, into !== null && classes.includes(into) ? into : target);
  }
  if (classes.length === 1) return null; // the last class stays: a dataset needs one
  const fi = classes.indexOf(from);
  return {
    classes: without(classes, fi),
    op: { type: 'delete', name: from, moveTo: null },
    map: (c) => (c === fi ? null : c > fi ? c - 1 : c),
  };
}
