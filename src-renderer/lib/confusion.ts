// Confusion-matrix arithmetic for the Evaluate screen.

/** Each row divided by its total (the seed's matrix / matrix.sum(axis=1)); empty rows stay 0. */
export function normaliseRows(matrix: readonly (readonly number[])[]): number[][] {
  return matrix.map((row) => {
    const total = row.reduce((s, v) => s + v, 0);
    return row.map((v) => (total === 0 ? 0 : v / total));
  });
}

export function rowTotals(matrix: readonly (readonly number[])[]): number[] {
  return matrix.map((row) => row.reduce((s, v) => s + v, 0));
}

export interface ConfusionPair {
  trueLabel: number;
  predictedLabel: number;
  count: number;
}

/** Off-diagonal cells, most frequent first (the "4s and 9s, 3s and 8s" of the seed). */
export function topConfusions(matrix: readonly (readonly number[])[], limit = 5): ConfusionPair[] {
  const pairs: ConfusionPair[] = [];
  matrix.forEach((row, t) =>
    row.forEach((count, p) => {
      if (t !== p && count > 0) pairs.push({ trueLabel: t, predictedLabel: p, count });
    }),
  );
  return pairs.sort((a, b) => b.count - a.count || a.trueLabel - b.trueLabel).slice(0, limit);
}

/**
 * A cubehelix-like sequential ramp (light → dark purple, like the seed's seaborn palette)
 * for a value in [0, 1] (reversed for dark themes). Returns an rgb() string and whether
 * text on it should be light.
 */
export function heatColor(value: number, dark = false): { background: string; lightText: boolean } {
  const clamped = Math.max(0, Math.min(1, value));
  // On a dark page the ramp runs the other way, so empty cells recede and full ones glow.
  const v = dark ? 1 - clamped : clamped;
  // Interpolate between a pale cream and a deep violet through a rose mid-tone.
  const stops: [number, number, number][] = [
    [250, 235, 221],
    [224, 157, 146],
    [167, 86, 131],
    [86, 40, 98],
    [30, 16, 46],
  ];
  const scaled = v * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(scaled));
  const f = scaled - i;
  const a = stops[i] as [number, number, number];
  const b = stops[i + 1] as [number, number, number];
  const c = a.map((x, k) => Math.round(x + (b[k]! - x) * f)) as [number, number, number];
  const luminance = (0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]) / 255;
  return { background: `rgb(${c[0]}, ${c[1]}, ${c[2]})`, lightText: luminance < 0.5 };
}
