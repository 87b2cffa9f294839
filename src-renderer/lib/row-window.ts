// Which rows of a long list to put in the DOM: those in the scroll box's view and a few either side. Creating,
// laying out and painting only them is what keeps a keystroke, a sort click and scrolling light (a page of 100
// table rows laid out in full took longer than the lab's answer). Rows share one height, so the rows above and
// below the window are stood in for by two spacers of known height and the scroll bar stays true.

export interface RowWindowInput {
  /** Rows in the list. */
  count: number;
  /** The scroll box's scrollTop and inner height, in pixels (0 before it is laid out). */
  scrollTop: number;
  viewport: number;
  /** One row's height in pixels (> 0). */
  rowHeight: number;
  /** Rows kept beyond each edge of the view, so a fast scroll shows rows, not a gap, before the next frame. */
  overscan: number;
  /** Rows to assume in view while the box has no height yet (not laid out, or a DOM without layout). */
  viewRowsBeforeLayout: number;
}

export interface RowWindow {
  /** Rows [start, end) are rendered. */
  start: number;
  end: number;
  /** Heights of the spacers standing in for rows before start and after end. */
  before: number;
  after: number;
}

export function rowWindow({ count, scrollTop, viewport, rowHeight, overscan, viewRowsBeforeLayout }: RowWindowInput): RowWindow {
  if (!(rowHeight > 0)) throw new Error(`rowWindow: the row height must be positive, not ${rowHeight}`);
  const inView = viewport > 0 ? Math.ceil(viewport / rowHeight) : viewRowsBeforeLayout;
  const first = Math.floor(Math.max(0, scrollTop) / rowHeight);
  const start = Math.max(0, Math.min(first, count - inView) - overscan);
  const end = Math.min(count, first + inView + overscan);
  const clampedStart = Math.min(start, end);
  return { start: clampedStart, end, before: clampedStart * rowHeight, after: (count - end) * rowHeight };
}
