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
