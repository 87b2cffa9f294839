// Batch normalization's training forward and backward as two fused wasm kernels (registered under Layerlab's own
// names; conv-net-step.ts runs them where fusedBatchNormAvailable says so, else the same formulas as tf ops):
//
//   LayerlabBatchNormTrain  x, gamma, beta → y, mean, variance, 1/√(variance + ε)     (variance: the biased one)
//   LayerlabBatchNormGrad   dy, x, mean, invStd, gamma → dx, dgamma, dbeta
//     attr relu: dx is multiplied by relu's derivative at x (x is a relu conv layer's output: that layer's dz, in the
//     same pass)
//
// Each is two memory-bound SIMD passes (simd/channel-statistics.wat) with the rows split between the main thread and
// the heap helper thread: the channel sums (float64), then one per-channel affine map. The tf-ops path takes a dozen
// broadcast kernels for the same work: on the Small CNN with batch normalization they were half of a training step.
//   forward:  mean = Σx/N, variance = Σx²/N − mean², y = a·x + k with a = γ·invStd, k = β − mean·a
//   backward: S = Σdy, S₂ = Σdy·x̂ = invStd·(Σdy·x − mean·S); dγ = S₂, dβ = S,
//             dx = γ·invStd/N·(N·dy − S − x̂·S₂) = A·dy + B·x + C per channel
import { registerHeapTasks, runOnHeap } from './heap-helper-thread.ts';
import { simdKernelsOf, type SimdKernels } from './simd/simd-kernels.ts';
import type { KernelArgs, KernelFn, Tf, TensorInfo, WasmBackendLike } from './wasm-backend.ts';

export const BATCH_NORM_TRAIN = 'LayerlabBatchNormTrain';
export const BATCH_NORM_GRAD = 'LayerlabBatchNormGrad';

/** True when the active backend runs both fused kernels (wasm with the SIMD kernels on). */
export function fusedBatchNormAvailable(tf: Tf): boolean {
  return tf.getBackend() === 'wasm' && tf.getKernel(BATCH_NORM_GRAD, 'wasm') != null && simdKernelsOf(tf.backend()) != null;
}

/**
 * Σu and Σu·v per channel for rows [begin, end), into the main thread's float64 sums (begin 0: arrays[2]) or the
 * helper's (arrays[3]); each holds Σu then Σu·v, 2·width floats apiece. arrays: u, v, sums, sums; params: width.
 * A heap task: self-contained.
 */
export function sumProductsShare(arrays: Float32Array[], params: Int32Array, begin: number, end: number, simd: SimdKernels | null): void {
  if (simd == null) throw new Error('sumProductsShare needs the SIMD kernels');
  const [u, v] = arrays as [Float32Array, Float32Array];
  const sums = (begin === 0 ? arrays[2] : arrays[3]) as Float32Array;
  const width = params[0] ?? 0;
  simd.sum_products(u.byteOffset, v.byteOffset, sums.byteOffset, sums.byteOffset + 8 * width, width, begin, end);
}

/**
 * out = a·u + b·v + k per channel (params[1] = 0: no b·v term), times relu's derivative at v where params[2] = 1, for
 * rows [begin, end). arrays: u, v, out, and the coefficients a, b, k (3·width floats); params: width, whether v
 * counts, relu. A heap task: self-contained.
 */
export function channelAffineShare(arrays: Float32Array[], params: Int32Array, begin: number, end: number, simd: SimdKernels | null): void {
  if (simd == null) throw new Error('channelAffineShare needs the SIMD kernels');
  const [u, v, out, coef] = arrays as [Float32Array, Float32Array, Float32Array, Float32Array];
  const width = params[0] ?? 0;
  simd.channel_affine(u.byteOffset, params[1] === 1 ? v.byteOffset : 0, out.byteOffset, coef.byteOffset, coef.byteOffset + 4 * width, coef.byteOffset + 8 * width, width, begin, end, params[2] ?? 0);
}

registerHeapTasks(sumProductsShare, channelAffineShare);

function simdOf(backend: WasmBackendLike, kernel: string): SimdKernels {
  const simd = simdKernelsOf(backend);
  if (simd == null) throw new Error(`${kernel} needs the SIMD kernels (see fusedBatchNormAvailable)`);
  return simd;
}

/** Σu and Σu·v per channel over all rows, as float64 arrays. */
function channelSums(backend: WasmBackendLike, simd: SimdKernels, u: TensorInfo, v: TensorInfo, rows: number, width: number): { sumU: Float64Array; sumUV: Float64Array } {
  const scratch = backend.makeOutput([8 * width], 'float32'); // two threads × (Σu, Σu·v) × width float64s
  try {
    const us = backend.typedArrayFromHeap(u) as Float32Array; // views after the allocation
    const vs = backend.typedArrayFromHeap(v) as Float32Array;
    const ss = backend.typedArrayFromHeap(scratch) as Float32Array;
    ss.fill(0);
    runOnHeap(sumProductsShare, [us, vs, ss.subarray(0, 4 * width), ss.subarray(4 * width)], [width], rows, rows * width, Math.ceil(rows / 2), simd);
    const all = new Float64Array(ss.buffer, ss.byteOffset, 4 * width); // malloc aligns heap buffers for float64
    const sumU = new Float64Array(width);
    const sumUV = new Float64Array(width);
    for (let c = 0; c < width; c++) {
      sumU[c] = (all[c] ?? 0) + (all[2 * width + c] ?? 0);
      sumUV[c] = (all[width + c] ?? 0) + (all[3 * width + c] ?? 0);
    }
    return { sumU, sumUV };
  } finally {
    backend.disposeData(scratch.dataId);
  }
}

/** out = a·u (+ b·v) + k per channel, times relu's derivative at v with `relu`; `coefficients` is a, b, k one after another (3·width). */
function channelAffine(backend: WasmBackendLike, simd: SimdKernels, u: TensorInfo, v: TensorInfo | null, out: TensorInfo, coefficients: Float32Array, rows: number, width: number, relu = false): void {
  if (relu && v == null) throw new Error("channelAffine: relu's mask is taken at v, and there is no v");
  const coef = backend.makeOutput([3 * width], 'float32');
  try {
    const cs = backend.typedArrayFromHeap(coef) as Float32Array; // views after the allocation
    cs.set(coefficients);
    const us = backend.typedArrayFromHeap(u) as Float32Array;
    const vs = v == null ? us : (backend.typedArrayFromHeap(v) as Float32Array);
    const os = backend.typedArrayFromHeap(out) as Float32Array;
    runOnHeap(channelAffineShare, [us, vs, os, cs], [width, v == null ? 0 : 1, relu ? 1 : 0], rows, rows * width, Math.ceil(rows / 2), simd);
  } finally {
    backend.disposeData(coef.dataId);
  }
}

/** A per-channel float32 tensor holding `values`. */
function channelTensor(backend: WasmBackendLike, values: Float64Array): TensorInfo {
  const t = backend.makeOutput([values.length], 'float32');
  (backend.typedArrayFromHeap(t) as Float32Array).set(values);
  return t;
}

function floats(backend: WasmBackendLike, t: TensorInfo): Float32Array {
  return backend.typedArrayFromHeap(t) as Float32Array;
}

export function makeBatchNormTrain(): KernelFn {
  return (args: KernelArgs) => {
    const backend = args.backend as WasmBackendLike;
    const { x, gamma, beta } = args.inputs as Record<string, TensorInfo>;
    if (x == null || gamma == null || beta == null) throw new Error(`${BATCH_NORM_TRAIN}: x, gamma and beta are needed`);
    const epsilon = Number(args.attrs?.['epsilon']);
    const width = x.shape[x.shape.length - 1] ?? 1;
    const rows = x.shape.reduce((a, b) => a * b, 1) / width;
    const simd = simdOf(backend, BATCH_NORM_TRAIN);
    const { sumU, sumUV } = channelSums(backend, simd, x, x, rows, width);
    const g = floats(backend, gamma);
    const b = floats(backend, beta);
    const mean = new Float64Array(width);
    const variance = new Float64Array(width);
    const invStd = new Float64Array(width);
    const coefficients = new Float32Array(3 * width); // a, (b unused), k
    for (let c = 0; c < width; c++) {
      const m = (sumU[c] ?? 0) / rows;
      const v = Math.max(0, (sumUV[c] ?? 0) / rows - m * m);
      const s = 1 / Math.sqrt(v + epsilon);
      mean[c] = m;
      variance[c] = v;
      invStd[c] = s;
      const a = (g[c] ?? 0) * s;
      coefficients[c] = a;
      coefficients[2 * width + c] = (b[c] ?? 0) - m * a;
    }
    const y = backend.makeOutput([...x.shape], 'float32');
    channelAffine(backend, simd, x, null, y, coefficients, rows, width);
    return [y, channelTensor(backend, mean), channelTensor(backend, variance), channelTensor(backend, invStd)];
  };
}

export function makeBatchNormGrad(): KernelFn {
  return (args: KernelArgs) => {
    const backend = args.backend as WasmBackendLike;
    const { dy, x, mean, invStd, gamma } = args.inputs as Record<string, TensorInfo>;
    if (dy == null || x == null || mean == null || invStd == null || gamma == null) throw new Error(`${BATCH_NORM_GRAD}: dy, x, mean, invStd and gamma are needed`);
    const width = x.shape[x.shape.length - 1] ?? 1;
    const rows = x.shape.reduce((a, b) => a * b, 1) / width;
    const simd = simdOf(backend, BATCH_NORM_GRAD);
    const { sumU: sumDy, sumUV: sumDyX } = channelSums(backend, simd, dy, x, rows, width);
    const m = floats(backend, mean);
    const s = floats(backend, invStd);
    const g = floats(backend, gamma);
    const dGamma = new Float64Array(width);
    const coefficients = new Float32Array(3 * width); // A, B, C
    for (let c = 0; c < width; c++) {
      const sd = sumDy[c] ?? 0;
      const sdx = (s[c] ?? 0) * ((sumDyX[c] ?? 0) - (m[c] ?? 0) * sd); // Σdy·x̂
      dGamma[c] = sdx;
      const k = ((g[c] ?? 0) * (s[c] ?? 0)) / rows;
      coefficients[c] = k * rows;
      coefficients[width + c] = -k * (s[c] ?? 0) * sdx;
      coefficients[2 * width + c] = -k * sd + k * (s[c] ?? 0) * sdx * (m[c] ?? 0);
    }
    const dx = backend.makeOutput([...x.shape], 'float32');
    channelAffine(backend, simd, dy, x, dx, coefficients, rows, width, args.attrs?.['relu'] === true);
    return [dx, channelTensor(backend, dGamma), channelTensor(backend, sumDy)];
  };
}
