// A photo can hold up to 1,000 boxes: building that many SVG elements in one go blocked the page
// for over 100 ms. The editor instead shows a prefix of the labels that catches up with them a
// slice per frame. Only boxes that changed count against a frame's budget, so an edit (a box
// drawn, moved or recoloured) shows in full at once, and opening a crowded photo is spread out.

/**
 * The next prefix of `target` to show, given what is shown now: as long as possible while at
 * most `budget` of its entries differ from `shown` (a differing entry is one the DOM must build
 * or update). Answers `target` itself once it fits, so a caught-up list keeps its identity.
 */
export function nextShown<T>(
  shown: readonly T[],
  target: readonly T[],
  budget: number,
): readonly T[] {
  let changed = 0;
  for (let i = 0; i < target.length; i++) {
    if (shown[i] === target[i]) continue;
    if (changed === budget) return target.slice(0, i);
    changed++;
  }
  return target;
}
