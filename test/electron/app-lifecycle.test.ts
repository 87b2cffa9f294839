// The app's life around its window, with a fake app: macOS keeps running with no window and
// opens one when activated; elsewhere closing the window quits; quitting closes the lab first.
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { registerLifecycle } from '../../src-main/electron/app-lifecycle.ts';

function setUp(platform: NodeJS.Platform, ready = true) {
  const app = Object.assign(new EventEmitter(), { quits: 0, quit() { this.quits++; } });
  let window: { isMinimized: () => boolean; restore: () => void; focus: () => void; restored: number; focused: number } | null = null;
  let opened = 0;
  let closed = 0;
  let lab = ready;
  registerLifecycle(app as never, {
    platform,
    getWindow: () => window,
    isReady: () => lab,
    openWindow: () => {
      opened++;
      window = { isMinimized: () => true, restore() { this.restored++; }, focus() { this.focused++; }, restored: 0, focused: 0 };
    },
    closeLab: () => (lab ? new Promise<void>((resolve) => setTimeout(() => (closed++, resolve()), 5)) : null),
  });
  return {
    app,
    get opened() { return opened; },
    get closed() { return closed; },
    get window() { return window; },
    closeWindow: () => { window = null; },
    setReady: (r: boolean) => { lab = r; },
  };
}

describe('app lifecycle', () => {
  it('on macOS stays open with no window, and activating it opens one', () => {
    const t = setUp('darwin');
    t.app.emit('activate');
    expect(t.opened).toBe(1);
    t.app.emit('activate');
    expect(t.opened).toBe(1);
    t.closeWindow();
    t.app.emit('window-all-closed');
    expect(t.app.quits).toBe(0);
    t.app.emit('activate');
    expect(t.opened).toBe(2);
  });

  it('opens no window before the lab is open (activate during the SQLite preparation)', () => {
    const t = setUp('darwin', false);
    t.app.emit('activate');
    expect(t.opened).toBe(0);
  });

  it('quits when the window closes on Windows and Linux', () => {
    for (const platform of ['win32', 'linux'] as const) {
      const t = setUp(platform);
      t.app.emit('window-all-closed');
      expect(t.app.quits).toBe(1);
    }
  });

  it('a second launch restores and focuses the window', () => {
    const t = setUp('linux');
    t.app.emit('second-instance');
    expect(t.opened).toBe(1);
    t.app.emit('second-instance');
    expect(t.window).toMatchObject({ restored: 1, focused: 1 });
  });

  it('quitting waits for the lab to close, once', async () => {
    const t = setUp('linux');
    let prevented = 0;
    t.app.emit('before-quit', { preventDefault: () => prevented++ });
    t.app.emit('before-quit', { preventDefault: () => prevented++ });
    expect(prevented).toBe(1);
    expect(t.app.quits).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(t.closed).toBe(1);
    expect(t.app.quits).toBe(1);
  });
});
