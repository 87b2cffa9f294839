// Heavy drawing jobs run one per task, in order, the first after the next frame; a job taken back never runs.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

describe('queueDrawing', () => {
  let frames: FrameRequestCallback[];
  beforeEach(() => {
    frames = [];
    vi.stubGlobal('requestAnimationFrame', (cb: FrameRequestCallback) => frames.push(cb));
    vi.useFakeTimers({ toFake: ['setTimeout'] });
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
    vi.resetModules();
  });

  it('waits for a frame, then runs one job per task in the order queued, skipping one taken back', async () => {
    const { queueDrawing } = await import('../../src-renderer/lib/drawing-queue.ts');
    const ran: string[] = [];
    queueDrawing(() => ran.push('a'));
    const cancelB = queueDrawing(() => ran.push('b'));
    queueDrawing(() => ran.push('c'));
    queueDrawing(() => ran.push('d'));
    cancelB();
    vi.runOnlyPendingTimers();
    expect(ran).toEqual([]);
    // One frame asked for a burst, and no job in the frame's own callback: in a task after it.
    expect(frames).toHaveLength(1);
    frames.shift()!(0);
    expect(ran).toEqual([]);
    vi.runOnlyPendingTimers();
    expect(ran).toEqual(['a']);
    vi.runOnlyPendingTimers();
    expect(ran).toEqual(['a', 'c']);
    vi.runOnlyPendingTimers();
    expect(ran).toEqual(['a', 'c', 'd']);
    expect(vi.getTimerCount()).toBe(0);
    // A later burst waits for a frame again.
    queueDrawing(() => ran.push('e'));
    expect(frames).toHaveLength(1);
  });

  it('goes on with the next job when one throws', async () => {
    const { queueDrawing } = await import('../../src-renderer/lib/drawing-queue.ts');
    const ran: string[] = [];
    queueDrawing(() => {
      throw new Error('no context');
    });
    queueDrawing(() => ran.push('next'));
    frames.shift()!(0);
    expect(() => vi.runOnlyPendingTimers()).toThrow('no context');
    vi.runOnlyPendingTimers();
    expect(ran).toEqual(['next']);
  });
});
