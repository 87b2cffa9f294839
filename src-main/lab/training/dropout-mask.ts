// tf.dropout's multiplier — floor(U + keep) / keep, U = tf.randomUniform(shape, 0, 1, 'float32', seed) — made in one JS
// pass, the same values bit for bit.
//
// Why: tf.randomUniform draws from seedrandom's Alea through a closure, a method call and a property write per value,
// then the step read the uniforms back from the backend and made the mask in a second pass: ~2.5 ms per 128×512 mask,
// a large part of the deeper MLP's step. Here Alea (Johannes Baagøe's generator, the seeding and the recurrence exactly
// as seedrandom 3.0.5 writes them, the version tfjs 4.22 uses) runs with its state in locals and each uniform becomes its
// mask value at once. Same numbers as tfjs's, so the written-out steps still train exactly as the tape step
// (dense-stack-step.test.ts, conv-net-step.test.ts) and a run's seed still fixes its masks.

/** seedrandom's Mash: the hash Alea seeds itself with (a running state `n` across calls). */
function mash(): (data: string) => number {
  let n = 0xefc8249d;
  return (data: string) => {
    for (let i = 0; i < data.length; i++) {
      n += data.charCodeAt(i);
      let h = 0.02519603282416938 * n;
      n = h >>> 0;
      h -= n;
      h *= n;
      n = h >>> 0;
      h -= n;
      n += h * 0x100000000; // 2^32
    }
    return (n >>> 0) * 2.3283064365386963e-10; // 2^-32
  };
}

/** What a dropout multiplier is made from: Alea's state for the seed, keep = 1 − rate and 1/keep, as float32. */
export interface DropoutDraw {
  keep: number;
  scale: number;
  /** Alea's three state values after seeding (its carry starts at 1). */
  state: [number, number, number];
}

/** Alea seeded as tf.randomUniform seeds it (tfjs: a seed's decimal string; no seed: Math.random(), as tfjs). */
export function dropoutDraw(rate: number, seed: number | undefined): DropoutDraw {
  if (!(rate >= 0 && rate < 1)) throw new Error(`dropout rate ${rate} is not in [0, 1)`);
  const keep = Math.fround(1 - rate);
  const m = mash();
  const key = String(seed ?? Math.random());
  let s0 = m(' ');
  let s1 = m(' ');
  let s2 = m(' ');
  s0 -= m(key);
  if (s0 < 0) s0 += 1;
  s1 -= m(key);
  if (s1 < 0) s1 += 1;
  s2 -= m(key);
  if (s2 < 0) s2 += 1;
  return { keep, scale: Math.fround(1 / keep), state: [s0, s1, s2] };
}

/**
 * Fills `out` with tf.dropout's multiplier for `rate`: 1/keep (as float32) where tf.randomUniform's value U for `seed`
 * has floor(U + keep) = 1 in float32, else 0. (On the wasm heap the SIMD kernels' twin of this loop does the same,
 * faster: wasm-kernels/dropout-kernel.ts.)
 */
export function fillDropoutMultiplier(out: Float32Array, rate: number, seed: number | undefined): void {
  const { keep, scale, state } = dropoutDraw(rate, seed);
  let [s0, s1, s2] = state;
  let c = 1;
  for (let i = 0; i < out.length; i++) {
    const t = 2091639 * s0 + c * 2.3283064365386963e-10; // 2^-32
    s0 = s1;
    s1 = s2;
    c = t | 0;
    s2 = t - c;
    // tfjs stores U in a Float32Array, then Add (float32) and Floor: the mask is 1 exactly where fround(fround(U) + keep) ≥ 1.
    out[i] = Math.fround(Math.fround(s2) + keep) >= 1 ? scale : 0;
  }
}
