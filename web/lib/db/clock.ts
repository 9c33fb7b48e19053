// Every timestamp the database stores comes from here. Milliseconds since the epoch, but strictly
// increasing within this tab: rows written in the same millisecond still sort in the order they
// were written, and "changed since the last sync" never misses an edit made in that millisecond.
let last = 0;

export function nextStamp(): number {
  last = Math.max(Date.now(), last + 1);
  return last;
}
