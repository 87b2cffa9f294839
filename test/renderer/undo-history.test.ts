import { describe, expect, it } from 'vitest';
import { UndoHistory } from '../../src-renderer/lib/undo-history.ts';

describe('UndoHistory', () => {
  it('undoes and redoes in order, and a new edit clears the redo list', () => {
    const h = new UndoHistory<number>();
    let value = 0;
    const edit = (next: number, key: string | null = null) => {
      h.record(value, key);
      value = next;
    };
    edit(1);
    edit(2);
    expect(h.canUndo).toBe(true);
    value = h.undo(value)!;
    expect(value).toBe(1);
    value = h.undo(value)!;
    expect(value).toBe(0);
    expect(h.undo(value)).toBeNull();
    value = h.redo(value)!;
    expect(value).toBe(1);
    edit(5);
    expect(h.canRedo).toBe(false);
    expect(h.redo(value)).toBeNull();
  });

  it('merges consecutive edits with the same key into one step', () => {
    const h = new UndoHistory<string>();
    let value = '';
    for (const next of ['1', '12', '128']) {
      h.record(value, 'layer-1:units');
      value = next;
    }
    h.record(value, 'layer-2:rate');
    value = '128 + rate';
    expect(h.undo(value)).toBe('128');
    expect(h.undo('128')).toBe('');
  });

  it('forgets the oldest steps past its limit', () => {
    const h = new UndoHistory<number>(3);
    for (let i = 0; i < 5; i++) h.record(i);
    expect(h.undo(5)).toBe(4);
    expect(h.undo(4)).toBe(3);
    expect(h.undo(3)).toBe(2);
    expect(h.undo(2)).toBeNull();
  });
});
