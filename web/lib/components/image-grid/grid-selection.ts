// Which photos the grid's select mode has picked: a tap toggles one, Shift-click adds the range
// from the last tapped photo, "select all" adds what the filter shows. Every change answers a new
// Set (Svelte sees it; 10,000 picks are copied in well under a frame) and never mutates one.

export interface Picking {
  picked: ReadonlySet<string>;
  /** The photo last tapped: where a Shift-click range starts. */
  anchor: string | null;
}

export const nothingPicked: Picking = { picked: new Set(), anchor: null };

/**
 * A tap on item `index` of `items` (what the grid shows now); `range` (Shift held) adds every
 * item from the anchor to it, or toggles it alone when the anchor is not shown.
 */
export function pick(
  state: Picking,
  items: readonly { sha256: string }[],
  index: number,
  range: boolean,
): Picking {
  const sha256 = items[index]?.sha256;
  if (sha256 === undefined) return state;
  const picked = new Set(state.picked);
  const from =
    range && state.anchor !== null ? items.findIndex((i) => i.sha256 === state.anchor) : -1;
  if (from >= 0) {
    for (let i = Math.min(from, index); i <= Math.max(from, index); i++)
      picked.add(items[i]!.sha256);
  } else if (!picked.delete(sha256)) {
    picked.add(sha256);
  }
  return { picked, anchor: sha256 };
}

/** Adds every shown item to what is picked. */
export function pickAll(state: Picking, items: readonly { sha256: string }[]): Picking {
  const picked = new Set(state.picked);
  for (const item of items) picked.add(item.sha256);
  return { ...state, picked };
}

/** Drops photos that left the dataset (removed here, or by a sync). */
export function unpick(state: Picking, gone: ReadonlySet<string>): Picking {
  const picked = new Set([...state.picked].filter((s) => !gone.has(s)));
  const anchor = state.anchor !== null && gone.has(state.anchor) ? null : state.anchor;
  return { picked, anchor };
}

/** The picked items of `items`, in its order. */
export function pickedOf<T extends { sha256: string }>(state: Picking, items: readonly T[]): T[] {
  return state.picked.size === 0 ? [] : items.filter((i) => state.picked.has(i.sha256));
}
