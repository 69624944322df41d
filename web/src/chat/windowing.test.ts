import { describe, expect, it } from 'vitest';
import { atBottom, distanceFromBottom, restoredScrollTop, spacers } from './windowing';

describe('message list windowing', () => {
  it('pads above and below the rendered rows', () => {
    // List starts 30 px into the scroller; rows 3..5 of 72 px are rendered out of 10.
    const items = [3, 4, 5].map((i) => ({ start: 30 + i * 72, end: 30 + (i + 1) * 72 }));
    expect(spacers(items, 720, 30)).toEqual({ top: 216, bottom: 288 });
    expect(spacers([], 720, 30)).toEqual({ top: 0, bottom: 0 });
  });

  it('never pads negatively when measurements are ahead of the total', () => {
    expect(spacers([{ start: 10, end: 200 }], 150, 20)).toEqual({ top: 0, bottom: 0 });
  });

  it('keeps the visible rows in place when an older page is added above', () => {
    const before = { scrollHeight: 3000, scrollTop: 20 };
    const distance = distanceFromBottom(before);
    // 50 older rows add 3600 px above: the same rows stay under the viewport.
    const top = restoredScrollTop(before.scrollHeight + 3600, distance);
    expect(top).toBe(3620);
    expect(restoredScrollTop(100, 500)).toBe(0);
  });

  it('knows when the view is at the bottom', () => {
    expect(atBottom({ scrollHeight: 1000, scrollTop: 600, clientHeight: 400 })).toBe(true);
    expect(atBottom({ scrollHeight: 1000, scrollTop: 530, clientHeight: 400 })).toBe(true);
    expect(atBottom({ scrollHeight: 1000, scrollTop: 400, clientHeight: 400 })).toBe(false);
  });
});
