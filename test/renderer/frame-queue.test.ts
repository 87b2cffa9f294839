// Heavy drawing jobs run one per animation frame (each in a task just after its frame), in order; a job taken back
// before its frame never runs.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

describe('inOwnFrame', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout'] });
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
    vi.resetModules();
  });

  it('runs one job per frame, in the order queued, and skips one taken back', async () => {
    const frames: FrameRequestCallback[] = [];
    vi.stubGlobal('requestAnimationFrame', (cb: FrameRequestCallback) => frames.push(cb));
    const { inOwnFrame } = await import('../../src-renderer/lib/frame-queue.ts');
    const ran: string[] = [];
    inOwnFrame(() => ran.push('a'));
    const cancelB = inOwnFrame(() => ran.push('b'));
    inOwnFrame(() => ran.push('c'));
    inOwnFrame(() => ran.push('d'));
    cancelB();
    // One frame asked for at a time, however many jobs wait.
    expect(frames).toHaveLength(1);
    const nextFrame = () => {
      frames.shift()!(performance.now());
      vi.runOnlyPendingTimers();
    };
    // Not in the frame's own callback: after it.
    frames.shift()!(performance.now());
    expect(ran).toEqual([]);
    vi.runOnlyPendingTimers();
    expect(ran).toEqual(['a']);
    nextFrame();
    expect(ran).toEqual(['a', 'c']);
    nextFrame();
    expect(ran).toEqual(['a', 'c', 'd']);
    expect(frames).toHaveLength(0);
  });

  it('goes on with the next job when one throws', async () => {
    const frames: FrameRequestCallback[] = [];
    vi.stubGlobal('requestAnimationFrame', (cb: FrameRequestCallback) => frames.push(cb));
    const { inOwnFrame } = await import('../../src-renderer/lib/frame-queue.ts');
    const ran: string[] = [];
    inOwnFrame(() => {
      throw new Error('no context');
    });
    inOwnFrame(() => ran.push('next'));
    frames.shift()!(0);
    expect(() => vi.runOnlyPendingTimers()).toThrow('no context');
    frames.shift()!(0);
    vi.runOnlyPendingTimers();
    expect(ran).toEqual(['next']);
  });
});
