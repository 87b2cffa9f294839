// Remembers the window's size, position and maximized state between launches (a small JSON in
// userData). A maximized window's own bounds are the whole screen: what is saved is its normal
// (restored) bounds plus the flag, so un-maximizing after a restart goes back to the user's size.
import { readFileSync, writeFileSync } from 'node:fs';
import type { BrowserWindow, Rectangle } from 'electron';

export interface WindowState extends Partial<Rectangle> {
  maximized?: boolean;
}

export function loadWindowState(file: string): WindowState {
  try {
    const raw = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    const ok = (v: unknown) => typeof v === 'number' && Number.isFinite(v);
    if (ok(raw.width) && ok(raw.height)) {
      return {
        width: raw.width as number,
        height: raw.height as number,
        ...(ok(raw.x) && ok(raw.y) ? { x: raw.x as number, y: raw.y as number } : {}),
        ...(raw.maximized === true ? { maximized: true } : {}),
      };
    }
  } catch {
    // First launch or an unreadable file: defaults.
  }
  return {};
}

/** What to save for a window: its normal bounds, and whether it is maximized. */
export function windowState(window: Pick<BrowserWindow, 'getNormalBounds' | 'isMaximized'>): WindowState {
  return { ...window.getNormalBounds(), maximized: window.isMaximized() };
}

export function saveWindowState(file: string, state: WindowState): void {
  try {
    writeFileSync(file, JSON.stringify(state));
  } catch {
    // Not worth failing a quit over.
  }
}

/** Drops a remembered position that no display shows any more (a monitor was unplugged). */
export function onScreen(state: WindowState, workAreas: Rectangle[]): WindowState {
  const { x, y, width, height, maximized } = state;
  if (x === undefined || y === undefined) return state;
  // The title bar's top-left 100×40 must be reachable to move the window back.
  const visible = workAreas.some((a) => x + 100 > a.x && x < a.x + a.width && y + 40 > a.y && y < a.y + a.height);
  return visible
    ? state
    : { ...(width !== undefined ? { width } : {}), ...(height !== undefined ? { height } : {}), ...(maximized ? { maximized } : {}) };
}
