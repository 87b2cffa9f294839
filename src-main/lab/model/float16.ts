// IEEE 754 half precision, for per-epoch checkpoints (half the bytes; the scrubber's evaluations move by
// well under a tenth of a point). Node 20 has no Float16Array, and the conversion is a few lines of bit work.

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** The half-precision bits nearest to v (ties to even); overflow becomes ±Infinity, NaN stays NaN. */
export function toHalfBits(v: number): number {
  f32[0] = v;
  const x = u32[0] as number;
  const sign = (x >>> 16) & 0x8000;
  const exponent = (x >>> 23) & 0xff;
  let mantissa = x & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 : 0);
  const e = exponent - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    // Subnormal half (or zero): shift the implicit 1 in and round.
    if (e < -10) return sign;
    mantissa |= 0x800000;
    const shift = 14 - e;
    let half = mantissa >>> shift;
    const rest = mantissa & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (rest > halfway || (rest === halfway && half & 1)) half++;
    return sign | half;
  }
  let half = sign | (e << 10) | (mantissa >>> 13);
  const rest = mantissa & 0x1fff;
  // A carry out of the mantissa bumps the exponent, which is the right answer (up to Infinity).
  if (rest > 0x1000 || (rest === 0x1000 && half & 1)) half++;
  return half;
}

let table: Float32Array | null = null;

/** Every half value as a float32, built once (256 KiB) so decoding is one lookup per weight. */
function halfTable(): Float32Array {
  if (table) return table;
  table = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) {
    const sign = h & 0x8000 ? -1 : 1;
    const exponent = (h >>> 10) & 0x1f;
    const mantissa = h & 0x3ff;
    table[h] = exponent === 0 ? sign * mantissa * 2 ** -24 : exponent === 0x1f ? (mantissa ? NaN : sign * Infinity) : sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
  }
  return table;
}

export function halfBitsToFloat(h: number): number {
  return halfTable()[h & 0xffff] as number;
}

export function floatsToHalves(values: Float32Array, out: Uint16Array): void {
  for (let i = 0; i < values.length; i++) out[i] = toHalfBits(values[i] as number);
}

export function halvesToFloats(halves: Uint16Array): Float32Array {
  const t = halfTable();
  const out = new Float32Array(halves.length);
  for (let i = 0; i < halves.length; i++) out[i] = t[halves[i] as number] as number;
  return out;
}
