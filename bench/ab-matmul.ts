// Paired A/B of the fast wasm BatchMatMul's two routes for 2-D products — direct (A·B, packing B) against swapped
// (Cᵀ = Bᵀ·Aᵀ, packing A) — on the products of the MLP training steps, one call of each in turn (order alternating) so
// that load hits both alike. The right operand is a new tensor every call, as a weight is after every update.
//   node --import tsx bench/ab-matmul.ts [--pairs 40] [--threads 2] [--only fwd-512x512,dW-512x10]
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { installFastWasmKernels } from '../src-main/lab/engine/wasm-kernels/index.ts';
import { setMatMulRoute } from '../src-main/lab/engine/wasm-kernels/fast-batch-mat-mul.ts';
import { loadBackend, realEnvironment } from '../src-main/lab/engine/backends.ts';

const argValue = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const pairs = Number(argValue('pairs') ?? 40);
console.log(`wasm: ${(await loadBackend('wasm', realEnvironment, { wasmThreads: Number(argValue('threads') ?? 2) })).report.detail ?? '?'}`);
installFastWasmKernels(tf);
const median = (v: number[]): number => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)] ?? NaN;

interface Case { label: string; m: number; k: number; n: number; transposeA: boolean; transposeB: boolean }
// Batch 128. Forward h·W (no transposes), backward dW = hᵀ·dz (transposeA) and dh = dz·Wᵀ (transposeB).
const cases: Case[] = [];
for (const [k, n] of (argValue("layers") ?? "784x512,512x512,512x10").split(",").map((s) => s.split("x").map(Number) as [number, number])) {
  cases.push({ label: `fwd ${k}x${n}`, m: 128, k, n, transposeA: false, transposeB: false });
  cases.push({ label: `dW ${k}x${n}`, m: k, k: 128, n, transposeA: true, transposeB: false });
  cases.push({ label: `dh ${k}x${n}`, m: 128, k: n, n: k, transposeA: false, transposeB: true });
}

const only = argValue('only');
for (const c of cases.filter((x) => only == null || only.split(",").includes(x.label.replace(" ", "-")))) {
  const a = tf.randomUniform(c.transposeA ? [c.k, c.m] : [c.m, c.k]);
  const b0 = tf.randomUniform(c.transposeB ? [c.n, c.k] : [c.k, c.n]);
  const timed = (route: 'direct' | 'swapped'): number => {
    const b = tf.add(b0, 0); // a new right operand, as after each weight update
    setMatMulRoute(route);
    const t0 = performance.now();
    const out = tf.matMul(a, b, c.transposeA, c.transposeB);
    const ms = performance.now() - t0;
    tf.dispose([b, out]);
    return ms;
  };
  for (let i = 0; i < 3; i++) { timed('direct'); timed('swapped'); }
  const direct: number[] = [];
  const swapped: number[] = [];
  for (let i = 0; i < pairs; i++) {
    if (i % 2 === 0) { direct.push(timed('direct')); swapped.push(timed('swapped')); } else { swapped.push(timed('swapped')); direct.push(timed('direct')); }
  }
  setMatMulRoute('auto');
  const ratio = median(direct.map((d, i) => d / (swapped[i] ?? NaN)));
  console.log(`${c.label.padEnd(12)} m=${c.m} k=${c.k} n=${c.n} tA=${c.transposeA} tB=${c.transposeB}: direct ${median(direct).toFixed(3)} ms, swapped ${median(swapped).toFixed(3)} ms; median paired ratio direct/swapped ${ratio.toFixed(2)}`);
  tf.dispose([a, b0]);
}
