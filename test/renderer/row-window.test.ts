// Which rows of the Runs page are in the DOM: those in view and a few either side, the rest stood in for by spacers.
import { describe, expect, it } from 'vitest';
import { rowWindow } from '../../src-renderer/lib/row-window.ts';

const base = { count: 100, scrollTop: 0, viewport: 400, rowHeight: 40, overscan: 5, viewRowsBeforeLayout: 12 };

describe('rowWindow', () => {
  it('renders the rows in view and the overscan below them at the top', () => {
    expect(rowWindow(base)).toEqual({ start: 0, end: 15, before: 0, after: 85 * 40 });
  });

  it('follows the scroll, with spacers whose heights add up to the whole list', () => {
    const w = rowWindow({ ...base, scrollTop: 50 * 40 + 13 });
    expect(w).toEqual({ start: 45, end: 65, before: 45 * 40, after: 35 * 40 });
    expect(w.before + (w.end - w.start) * 40 + w.after).toBe(100 * 40);
  });

  it('keeps a full window at the bottom, also when the scroll overshoots (elastic scrolling, rows just removed)', () => {
    expect(rowWindow({ ...base, scrollTop: 90 * 40 })).toEqual({ start: 85, end: 100, before: 85 * 40, after: 0 });
    expect(rowWindow({ ...base, scrollTop: 10_000 * 40 })).toEqual({ start: 85, end: 100, before: 85 * 40, after: 0 });
    expect(rowWindow({ ...base, scrollTop: -30 })).toEqual(rowWindow(base));
  });

  it('assumes a screenful before the box is laid out, and renders short lists whole', () => {
    expect(rowWindow({ ...base, viewport: 0 })).toMatchObject({ start: 0, end: 17 });
    expect(rowWindow({ ...base, count: 3 })).toEqual({ start: 0, end: 3, before: 0, after: 0 });
    expect(rowWindow({ ...base, count: 0 })).toEqual({ start: 0, end: 0, before: 0, after: 0 });
  });

  it('refuses a row height it cannot divide by', () => {
    expect(() => rowWindow({ ...base, rowHeight: 0 })).toThrow(/row height must be positive/);
    expect(() => rowWindow({ ...base, rowHeight: Number.NaN })).toThrow(/row height must be positive/);
  });
});
