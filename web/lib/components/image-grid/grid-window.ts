// Which rows of a virtualised grid to render: only those in view plus a few either side, so a
// dataset of 10,000 images keeps about a hundred cells in the DOM however far it is scrolled.

export interface GridWindow {
  columns: number;
  /** First and one-past-last item index to render. */
  start: number;
  end: number;
  /** Height of the whole grid, and the offset of the first rendered row, in pixels. */
  totalHeight: number;
  offsetTop: number;
}

export function gridWindow(
  count: number,
  width: number,
  cell: number,
  gap: number,
  scrollTop: number,
  viewport: number,
  overscanRows = 2,
): GridWindow {
  const columns = Math.max(1, Math.floor((width + gap) / (cell + gap)));
  const rowHeight = cell + gap;
  const rows = Math.ceil(count / columns);
  const firstRow = Math.max(0, Math.floor(scrollTop / rowHeight) - overscanRows);
  const lastRow = Math.min(rows, Math.ceil((scrollTop + viewport) / rowHeight) + overscanRows);
  return {
    columns,
    start: Math.min(count, firstRow * columns),
    end: Math.min(count, lastRow * columns),
    totalHeight: Math.max(0, rows * rowHeight - gap),
    offsetTop: firstRow * rowHeight,
  };
}

/** The scrollTop that brings item `index` into view, or null when it is already in view. */
export function scrollToShow(
  index: number,
  columns: number,
  cell: number,
  gap: number,
  scrollTop: number,
  viewport: number,
): number | null {
  const rowHeight = cell + gap;
  const top = Math.floor(index / columns) * rowHeight;
  if (top < scrollTop) return top;
  if (top + cell > scrollTop + viewport) return top + cell - viewport;
  return null;
}

/** What one grid cell shows. */
export interface GridItem {
  sha256: string;
  fileName: string;
  labels: number;
  state: 'to do' | 'labeled' | 'reviewed';
  /** Its split (train, val, test) and whether it is pinned there; absent: not shown. */
  split?: { side: string; pinned: boolean };
}
