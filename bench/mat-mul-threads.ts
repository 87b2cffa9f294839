// Times 2-D products on tfjs-wasm with the fast kernels on 1 thread and split across helper threads, to pick
// DEFAULT_MIN_SPLIT_MACS (mat-mul-pool.ts), and checks that both give the same numbers.
//   node --import tsx bench/mat-mul-threads.ts [--threads 2] [--reps 30]
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { fastWasmMatMulPool, installFastWasmKernels } from '../src-main/lab/engine/wasm-kernels/index.ts';

const args = process.argv.slice(2);
const opt = (name: string, dflt: number): number => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const threads = opt('threads', 2);
const reps = opt('reps', 30);

await tf.setBackend('wasm');
await tf.ready();

// [m, k, n, transposeA, transposeB]: the seed's products first (forward, xᵀ·dy, and predict over 10k images).
const SHAPES: [number, number, number, boolean, boolean][] = [
  [128, 784, 512, false, false],
  [784, 128, 512, true, false],
  [128, 512, 784, false, true],
  [1000, 784, 512, false, false],
  [128, 128, 128, false, false],
  [128, 256, 256, false, false],
  [256, 256, 256, false, false],
  [64, 784, 512, false, false],
  [128, 512, 10, false, false],
];

function time(f: () => void): number {
  for (let i = 0; i < 3; i++) f();
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) f();
  return (performance.now() - t0) / reps;
}

console.log(`threads ${threads}, ${reps} reps; ms per product (weights new each call, as in training)`);
console.log('m×k×n (T)'.padEnd(24), '1 thread'.padStart(9), `${threads} threads`.padStart(10), 'speed-up'.padStart(9), 'max |diff|'.padStart(11), 'MMAC'.padStart(7));
for (const [m, k, n, ta, tb] of SHAPES) {
  const a = tf.randomNormal(ta ? [k, m] : [m, k]);
  const b = tf.randomNormal(tb ? [n, k] : [k, n]);
  // A fresh right operand per call: training never reuses a weight tensor, so XNNPACK re-packs every time.
  const run = () => {
    const b2 = tf.add(b, 0);
    const c = tf.matMul(a, b2, ta, tb);
    c.dataSync();
    tf.dispose([b2, c]);
  };
  installFastWasmKernels(tf, { threads: 1 });
  const single = time(run);
  const ref = tf.tidy(() => tf.matMul(a, b, ta, tb).dataSync() as Float32Array);
  installFastWasmKernels(tf, { threads, minSplitMacs: 1 });
  await fastWasmMatMulPool()?.whenReady();
  const multi = time(run);
  const got = tf.tidy(() => tf.matMul(a, b, ta, tb).dataSync() as Float32Array);
  let worst = 0;
  for (let i = 0; i < ref.length; i++) worst = Math.max(worst, Math.abs((ref[i] ?? 0) - (got[i] ?? 0)));
  const name = `${m}×${k}×${n}${ta ? ' Ta' : ''}${tb ? ' Tb' : ''}`;
  console.log(name.padEnd(24), single.toFixed(3).padStart(9), multi.toFixed(3).padStart(10), (single / multi).toFixed(2).padStart(9), worst.toExponential(1).padStart(11), ((m * k * n) / 1e6).toFixed(1).padStart(7));
  tf.dispose([a, b]);
}
console.log('split products:', fastWasmMatMulPool()?.stats, 'tensors left:', tf.memory().numTensors);
