// Remembers the window's size and position between launches (a small JSON in userData).
import { readFileSync, writeFileSync } from 'node:fs';
import type { Rectangle } from 'electron';

export function loadWindowBounds(file: string): Partial<Rectangle> {
  try {
    const raw = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    const ok = (v: unknown) => typeof v === 'number' && Number.isFinite(v);
    if (ok(raw.width) && ok(raw.height)) {
      return { width: raw.width as number, height: raw.height as number, ...(ok(raw.x) && ok(raw.y) ? { x: raw.x as number, y: raw.y as number } : {}) };
    }
  } catch {
    // First launch or an unreadable file: defaults.
  }
  return {};
}

export function saveWindowBounds(file: string, bounds: Rectangle): void {
  try {
    writeFileSync(file, JSON.stringify(bounds));
  } catch {
    // Not worth failing a quit over.
  }
}

/** Drops a remembered position that no display shows any more (a monitor was unplugged). */
export function onScreen(bounds: Partial<Rectangle>, workAreas: Rectangle[]): Partial<Rectangle> {
  const { x, y, width, height } = bounds;
  if (x === undefined || y === undefined) return bounds;
  // The title bar's top-left 100×40 must be reachable to move the window back.
  const visible = workAreas.some((a) => x + 100 > a.x && x < a.x + a.width && y + 40 > a.y && y < a.y + a.height);
  return visible ? bounds : { ...(width !== undefined ? { width } : {}), ...(height !== undefined ? { height } : {}) };
}
