// Pure helpers for the virtualized message list: the spacer heights around the rendered
// window, and the scroll offsets that keep the view anchored (older pages loading above,
// sticking to the bottom).

export interface WindowItem {
  /** Offset of the row's top inside the scroller (includes the list's `margin`). */
  start: number;
  end: number;
}

/** Heights of the blank space above and below the rendered rows of a list `total` high. */
export function spacers(items: readonly WindowItem[], total: number, margin: number): { top: number; bottom: number } {
  if (items.length === 0) return { top: 0, bottom: 0 };
  const top = Math.max(0, items[0].start - margin);
  const bottom = Math.max(0, total - (items[items.length - 1].end - margin));
  return { top, bottom };
}

/** Distance from the current position to the end of the content (what stays put when rows are added above). */
export function distanceFromBottom(el: { scrollHeight: number; scrollTop: number }): number {
  return el.scrollHeight - el.scrollTop;
}

/** The scrollTop that puts the view back at `distance` from the end after rows were added above. */
export function restoredScrollTop(scrollHeight: number, distance: number): number {
  return Math.max(0, scrollHeight - distance);
}

/** Whether the view is (nearly) at the bottom, so new messages should keep it there. */
export function atBottom(el: { scrollHeight: number; scrollTop: number; clientHeight: number }, slack = 80): boolean {
  return el.scrollHeight - el.scrollTop - el.clientHeight < slack;
}
