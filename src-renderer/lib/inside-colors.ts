// Colours of the inside views: a diverging map for signed values (weights, saliency: blue below
// zero, red above, the page's own background at zero so small values recede in light and dark
// themes alike), a sequential one for activations, and one colour per class for the projector.

type Rgb = [number, number, number];

const NEGATIVE: Rgb = [33, 102, 172];
const POSITIVE: Rgb = [178, 24, 43];
const LIGHT_ZERO: Rgb = [247, 247, 247];
const DARK_ZERO: Rgb = [24, 26, 31];
const DARK_NEGATIVE: Rgb = [92, 160, 230];
const DARK_POSITIVE: Rgb = [240, 96, 96];

const mix = (a: Rgb, b: Rgb, f: number): Rgb => [a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f, a[2] + (b[2] - a[2]) * f];

/** t in [-1, 1] (clamped) → rgb. */
export function diverging(t: number, dark: boolean): Rgb {
  const clamped = Math.max(-1, Math.min(1, Number.isFinite(t) ? t : 0));
  const zero = dark ? DARK_ZERO : LIGHT_ZERO;
  const end = clamped < 0 ? (dark ? DARK_NEGATIVE : NEGATIVE) : dark ? DARK_POSITIVE : POSITIVE;
  // Linear: small weights (a hidden unit's untouched initial noise) recede, learned ones stand out.
  return mix(zero, end, Math.abs(clamped));
}

/** t in [0, 1] → rgb, from the background to the accent (activations are mostly non-negative). */
export function sequential(t: number, dark: boolean): Rgb {
  const clamped = Math.max(0, Math.min(1, Number.isFinite(t) ? t : 0));
  return mix(dark ? DARK_ZERO : LIGHT_ZERO, dark ? [255, 196, 92] : [49, 54, 149], clamped);
}

/** Tableau 10, one per digit class; readable on light and dark backgrounds. */
export const CLASS_COLORS = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'] as const;

export function classColor(label: number): string {
  return CLASS_COLORS[label % CLASS_COLORS.length] ?? '#888';
}

/** Signed bytes (a weight tile, base64) back to numbers in [-1, 1]. */
export function decodeTile(base64: string): Float32Array {
  const binary = atob(base64);
  const out = new Float32Array(binary.length);
  for (let i = 0; i < binary.length; i++) {
    const byte = binary.charCodeAt(i);
    out[i] = (byte > 127 ? byte - 256 : byte) / 127;
  }
  return out;
}

/** Largest |value|, at least a tiny positive number (a scale to divide by). */
export function maxAbs(values: ArrayLike<number>): number {
  let m = 1e-12;
  for (let i = 0; i < values.length; i++) m = Math.max(m, Math.abs(values[i] ?? 0));
  return m;
}
