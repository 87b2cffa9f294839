// Number, size and time formatting shared by every screen.

// Sizes and counts have one home in src-shared: validation messages use them too.
export { formatBytes, formatCount as formatInt } from '../../src-shared/units.ts';

/** 75 → "1m 15s"; 3700 → "1h 1m". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '—';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}

/** Like formatDuration, but short times keep a decimal: 0.43 → "0.4s", 7.25 → "7.3s". */
export function formatSeconds(seconds: number): string {
  if (Number.isFinite(seconds) && seconds >= 0 && seconds < 9.95) return `${seconds.toFixed(1)}s`;
  return formatDuration(seconds);
}

export const formatMetric = (v: number | null | undefined, digits = 4): string =>
  v === null || v === undefined || !Number.isFinite(v) ? '—' : v.toFixed(digits);

export const formatPercent = (v: number | null | undefined, digits = 1): string =>
  v === null || v === undefined || !Number.isFinite(v) ? '—' : `${(v * 100).toFixed(digits)}%`;

/** Keras' "(None, 512)". */
export const formatShape = (shape: readonly number[] | null | undefined): string =>
  shape ? `(None, ${shape.join(', ')})` : '?';

/** A weight or activation value: two decimals from 1 up, two significant digits below. */
export const formatWeight = (v: number): string => (Math.abs(v) >= 1 ? v.toFixed(2) : v.toPrecision(2));
