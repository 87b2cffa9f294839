// Sum and Mean over leading axes for the wasm backend — the bias gradient of every conv layer (Σ over batch, height,
// width of a channels-last tensor) and of every Dense layer (Σ over the batch); batch normalization's statistics.
//
// Stock tfjs-backend-wasm 4.22 transposes the reduced axes to the end first (a full copy) and then reduces; summing
// rows of the untransposed data in one pass is ~3× faster (~6× with eight rows per accumulator update) on the Small CNN's first conv layer. Accumulates in float64
// (at least as exact as the stock float32 sum). Any other reduction goes to the stock kernel. With the SIMD kernels
// (simd/sum-rows.wat) the rows are split between the threads instead, four columns at a time, each thread summing into
// its own float64 partial.
import { registerHeapTasks, runOnHeap } from './heap-helper-thread.ts';
import { simdKernelsOf, type SimdKernels } from './simd/simd-kernels.ts';
import type { KernelArgs, KernelFn, Tf, TensorInfo, WasmBackendLike } from './wasm-backend.ts';

/** The number of leading axes `axis` names, when it names exactly axes 0..k-1 (k < rank), else null. */
export function leadingAxesCount(tf: Tf, axis: number | number[], rank: number): number | null {
  const axes = [...new Set(tf.util.parseAxisParam(axis, new Array<number>(rank).fill(1)))].sort((a, b) => a - b);
  if (axes.length === 0 || axes.length >= rank) return null;
  return axes.every((a, i) => a === i) ? axes.length : null;
}

/** Sum (or, with `mean`, Mean) over leading axes; any other reduction goes to the stock kernel. */
export function makeLeadingAxesSum(tf: Tf, original: KernelFn, mean = false): KernelFn {
  return (args: KernelArgs) => {
    const x = args.inputs['x'];
    const axis = args.attrs?.['axis'] as number | number[] | undefined;
    if (x == null || axis == null || x.dtype !== 'float32') return original(args);
    const k = leadingAxesCount(tf, axis, x.shape.length);
    if (k == null) return original(args);
    const backend = args.backend as WasmBackendLike;
    const kept = x.shape.slice(k);
    const width = kept.reduce((a, b) => a * b, 1);
    const rows = x.shape.slice(0, k).reduce((a, b) => a * b, 1);
    const outShape = args.attrs?.['keepDims'] === true ? [...new Array<number>(k).fill(1), ...kept] : kept;
    const out: TensorInfo = backend.makeOutput(outShape, 'float32');
    const simd = simdKernelsOf(backend);
    if (simd != null && rows > 1) {
      sumRowsBySimd(backend, simd, x, out, rows, width, mean);
      return out;
    }
    const xs = backend.typedArrayFromHeap(x) as Float32Array; // views after the allocation
    const os = backend.typedArrayFromHeap(out) as Float32Array;
    // Split by column between the main thread and the heap helper thread (each column's sum is its own).
    runOnHeap(sumColumns, [xs, os], [rows, width, mean ? 1 : 0], width, rows * width);
    return out;
  };
}

/**
 * os[c] = Σ over rows of xs[r·width + c] (÷ rows when params[2] is 1: the mean), for columns c in [begin, end);
 * accumulated in float64. A heap task (heap-helper-thread.ts): self-contained, so the helper thread can run its source.
 * arrays: xs, os; params: rows, width, mean.
 */
export function sumColumns(arrays: Float32Array[], params: Int32Array, begin: number, end: number): void {
  const xs = arrays[0] as Float32Array;
  const os = arrays[1] as Float32Array;
  const rows = params[0] ?? 0;
  const w = params[1] ?? 0;
  const acc = new Float64Array(end - begin);
  // Eight rows at a time: one read-modify-write of the accumulator per eight inputs (the loop is bound by it).
  const blocked = rows - (rows % 8);
  for (let r = 0; r < blocked; r += 8) {
    const i0 = r * w;
    for (let c = begin, a = 0; c < end; c++, a++) {
      const i = i0 + c;
      acc[a] = (acc[a] ?? 0) + ((xs[i] ?? 0) + (xs[i + w] ?? 0) + (xs[i + 2 * w] ?? 0) + (xs[i + 3 * w] ?? 0) + (xs[i + 4 * w] ?? 0) + (xs[i + 5 * w] ?? 0) + (xs[i + 6 * w] ?? 0) + (xs[i + 7 * w] ?? 0));
    }
  }
  for (let r = blocked; r < rows; r++) {
    for (let c = begin, a = 0; c < end; c++, a++) acc[a] = (acc[a] ?? 0) + (xs[r * w + c] ?? 0);
  }
  if (params[2] === 1) for (let a = 0; a < acc.length; a++) acc[a] = (acc[a] ?? 0) / rows;
  os.set(acc, begin);
}

/**
 * Rows [begin, end) of xs summed by the SIMD kernel into a float64 partial: the main thread's (begin 0) in arrays[1],
 * the helper's in arrays[2] (each a float32 view holding 2·width floats). arrays: xs, partial, partial; params: width.
 * A heap task: self-contained.
 */
export function sumRowsShare(arrays: Float32Array[], params: Int32Array, begin: number, end: number, simd: SimdKernels | null): void {
  if (simd == null) throw new Error('sumRowsShare needs the SIMD kernels');
  const xs = arrays[0] as Float32Array;
  const partial = (begin === 0 ? arrays[1] : arrays[2]) as Float32Array;
  simd.sum_rows(xs.byteOffset, partial.byteOffset, params[0] ?? 0, begin, end);
}

/** Column sums (or means) of x as [rows, width] into out, the rows split between the threads. */
function sumRowsBySimd(backend: WasmBackendLike, simd: SimdKernels, x: TensorInfo, out: TensorInfo, rows: number, width: number, mean: boolean): void {
  // Two float64 partials of `width` each, in one heap buffer (malloc aligns it for float64 views).
  const partials = backend.makeOutput([4 * width], 'float32');
  try {
    const xs = backend.typedArrayFromHeap(x) as Float32Array; // views after the allocations
    const os = backend.typedArrayFromHeap(out) as Float32Array;
    const ps = backend.typedArrayFromHeap(partials) as Float32Array;
    ps.fill(0);
    runOnHeap(sumRowsShare, [xs, ps.subarray(0, 2 * width), ps.subarray(2 * width)], [width], rows, rows * width, Math.ceil(rows / 2), simd);
    const sums = new Float64Array(ps.buffer, ps.byteOffset, 2 * width);
    for (let c = 0; c < width; c++) {
      const sum = (sums[c] ?? 0) + (sums[width + c] ?? 0);
      os[c] = mean ? sum / rows : sum;
    }
  } finally {
    backend.disposeData(partials.dataId);
  }
}

registerHeapTasks(sumColumns, sumRowsShare);
