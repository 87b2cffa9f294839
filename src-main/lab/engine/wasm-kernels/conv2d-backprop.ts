// Conv2DBackpropFilter and Conv2DBackpropInput for the wasm backend, lowered to matrix products (conv-im2col.ts) that
// run on XNNPACK through the registered BatchMatMul (threaded under the threaded build). The filter gradient goes to a
// SIMD kernel where there is one (conv-filter-gradient.ts), and so does the input gradient's scatter (col2im). A
// stride-1 input gradient is instead one XNNPACK convolution over padded dy (~1.3× faster than the product + the JS
// col2im on the Keras CNN's second layer) unless the layer has PRODUCT_ROUTE_MIN_OUT_CHANNELS or more: the column
// matrix col2im reads is 1/outChannels of the product's work, and measured (3×3, fresh filters, batch 128) the product
// + SIMD col2im took 10.4 vs 10.9 ms at 64→32 channels, 16.9 vs 21.6 at 64→64, 4.6 vs 5.5 at 64→16, but 3.8 vs 2.9 at
// 32→16 and 6.2 vs 5.6 at 32→32.
//
// Stock tfjs-backend-wasm 4.22 has no Conv2DBackpropFilter at all and a scalar Conv2DBackpropInput: on the Small CNN
// they took ~70 % of a training step. The lowered products are processed in chunks of whole batch items so the
// temporary column matrix stays under COLUMN_CHUNK_FLOATS whatever the layer's size.
import { filterGradientBySimd } from './conv-filter-gradient.ts';
import { registerHeapTasks, runOnHeap } from './heap-helper-thread.ts';
import { simdKernelsOf, type SimdKernels } from './simd/simd-kernels.ts';
import { col2im, convGeometry, convPadding, im2colTransposed, positionsOf, tapsOf } from './conv-im2col.ts';
import type { ConvAttrs, ConvGeometry } from './conv-im2col.ts';
import { reshapedInfo, sizeOf } from './wasm-backend.ts';
import type { KernelArgs, KernelFn, Tf, TensorInfo, WasmBackendLike } from './wasm-backend.ts';

/** From this many output channels a stride-1 input gradient takes the product + SIMD col2im (see the top). */
const PRODUCT_ROUTE_MIN_OUT_CHANNELS = 64;

/** Largest temporary column matrix, in floats (64 MB): bounds the memory a big convolution's backprop adds. */
export const COLUMN_CHUNK_FLOATS = 16 << 20;

function batchMatMul(tf: Tf, backend: WasmBackendLike, a: TensorInfo, b: TensorInfo, transposeA: boolean, transposeB: boolean): TensorInfo {
  const kernel = tf.getKernel('BatchMatMul', 'wasm');
  if (kernel == null) throw new Error('wasm BatchMatMul kernel missing');
  const run = kernel.kernelFunc as unknown as KernelFn;
  return run({ inputs: { a, b }, backend, attrs: { transposeA, transposeB } }) as TensorInfo;
}

/** Batch items per chunk so that a chunk's column matrix holds at most COLUMN_CHUNK_FLOATS floats. */
export function itemsPerChunk(g: ConvGeometry, limit = COLUMN_CHUNK_FLOATS): number {
  const perItem = g.outHeight * g.outWidth * tapsOf(g);
  return Math.max(1, Math.min(g.batch, Math.floor(limit / Math.max(1, perItem))));
}

/** A [rows, cols] tensor holding `count` floats of `src` from `offset` (a chunk of a larger tensor). */
function copyRows(backend: WasmBackendLike, src: TensorInfo, offset: number, rows: number, cols: number): TensorInfo {
  const out = backend.makeOutput([rows, cols], 'float32');
  const from = backend.typedArrayFromHeap(src) as Float32Array;
  (backend.typedArrayFromHeap(out) as Float32Array).set(from.subarray(offset, offset + rows * cols));
  return out;
}

/** A backprop kernel's backend, its two named inputs and its attrs. */
function backpropArgs<A>(args: KernelArgs, first: string, second: string) {
  return {
    backend: args.backend as WasmBackendLike,
    first: args.inputs[first] as TensorInfo,
    second: args.inputs[second] as TensorInfo,
    attrs: (args.attrs ?? {}) as unknown as ConvAttrs & A,
  };
}

/** The sizes both lowered backprops walk by: taps, out channels, items per chunk, floats per input and output item. */
function chunkPlan(g: ConvGeometry, chunkFloats: number) {
  return {
    taps: tapsOf(g),
    co: g.outChannels,
    chunk: itemsPerChunk(g, chunkFloats),
    xItem: g.inHeight * g.inWidth * g.inChannels,
    yItem: g.outHeight * g.outWidth,
  };
}

export function makeConv2DBackpropFilter(tf: Tf, chunkFloats = COLUMN_CHUNK_FLOATS): KernelFn {
  return (args: KernelArgs) => {
    const { backend, first: x, second: dy, attrs } = backpropArgs<{ filterShape: [number, number, number, number] }>(args, 'x', 'dy');
    const g = convGeometry(tf, 'Conv2DBackpropFilter', x.shape, attrs.filterShape, attrs);
    const simd = simdKernelsOf(backend);
    if (simd != null && g.batch > 0 && x.dtype === 'float32' && dy.dtype === 'float32') {
      return filterGradientBySimd(backend, simd, x, dy, g, [...attrs.filterShape]);
    }
    const { taps, co, chunk, xItem, yItem } = chunkPlan(g, chunkFloats);
    let result: TensorInfo | null = null;
    for (let b0 = 0; b0 < g.batch; b0 += chunk) {
      const items = Math.min(chunk, g.batch - b0);
      const part: ConvGeometry = { ...g, batch: items };
      const positions = positionsOf(part);
      const colsT = backend.makeOutput([taps, positions], 'float32');
      const whole = items === g.batch;
      const dyPart = whole ? reshapedInfo(dy, [positions, co]) : copyRows(backend, dy, b0 * yItem * co, positions, co);
      try {
        const xs = backend.typedArrayFromHeap(x) as Float32Array; // views after allocating (heap growth detaches them)
        im2colTransposed(xs.subarray(b0 * xItem, (b0 + items) * xItem), part, backend.typedArrayFromHeap(colsT) as Float32Array);
        const partial = batchMatMul(tf, backend, colsT, dyPart, false, false);
        if (result == null) result = partial;
        else {
          const acc = backend.typedArrayFromHeap(result) as Float32Array;
          const add = backend.typedArrayFromHeap(partial) as Float32Array;
          for (let i = 0; i < acc.length; i++) acc[i] = (acc[i] ?? 0) + (add[i] ?? 0);
          backend.disposeData(partial.dataId);
        }
      } finally {
        backend.disposeData(colsT.dataId);
        if (!whole) backend.disposeData(dyPart.dataId);
      }
    }
    if (result == null) {
      const zeros = backend.makeOutput(attrs.filterShape, 'float32');
      (backend.typedArrayFromHeap(zeros) as Float32Array).fill(0, 0, sizeOf(attrs.filterShape));
      return zeros;
    }
    result.shape = [...attrs.filterShape];
    return result;
  };
}

/**
 * For stride 1 the input gradient is itself a convolution: dy, padded by (filter − 1 − forward padding) on each side,
 * convolved with the filter rotated 180° and its in/out channels swapped. That runs on XNNPACK's own threaded Conv2D
 * (no column matrix, no JS scatter).
 */
function backpropInputByConvolution(tf: Tf, backend: WasmBackendLike, dy: TensorInfo, filter: TensorInfo, g: ConvGeometry, padBottom: number, padRight: number): TensorInfo {
  const { filterHeight: fh, filterWidth: fw, inChannels: ci, outChannels: co } = g;
  const rotated = backend.makeOutput([fh, fw, co, ci], 'float32');
  const w = backend.typedArrayFromHeap(filter) as Float32Array;
  const r = backend.typedArrayFromHeap(rotated) as Float32Array;
  for (let i = 0; i < fh; i++) {
    for (let j = 0; j < fw; j++) {
      const src = ((fh - 1 - i) * fw + (fw - 1 - j)) * ci * co;
      const dst = (i * fw + j) * co * ci;
      for (let c = 0; c < ci; c++) for (let o = 0; o < co; o++) r[dst + o * ci + c] = w[src + c * co + o] ?? 0;
    }
  }
  const conv = tf.getKernel('Conv2D', 'wasm');
  if (conv == null) throw new Error('wasm Conv2D kernel missing');
  const pad = [
    [0, 0],
    [fh - 1 - g.padTop, fh - 1 - padBottom],
    [fw - 1 - g.padLeft, fw - 1 - padRight],
    [0, 0],
  ];
  try {
    return (conv.kernelFunc as unknown as KernelFn)({ inputs: { x: dy, filter: rotated }, backend, attrs: { strides: 1, pad, dilations: 1, dataFormat: 'NHWC', dimRoundingMode: undefined } }) as TensorInfo;
  } finally {
    backend.disposeData(rotated.dataId);
  }
}

export function makeConv2DBackpropInput(tf: Tf, chunkFloats = COLUMN_CHUNK_FLOATS): KernelFn {
  return (args: KernelArgs) => {
    const { backend, first: dy, second: filter, attrs } = backpropArgs<{ inputShape: [number, number, number, number] }>(args, 'dy', 'filter');
    const g = convGeometry(tf, 'Conv2DBackpropInput', attrs.inputShape, filter.shape, attrs);
    const simd = filter.dtype === 'float32' && dy.dtype === 'float32' ? simdKernelsOf(backend) : null;
    const stride1 = g.strideHeight === 1 && g.strideWidth === 1;
    if (stride1 && (simd == null || g.outChannels < PRODUCT_ROUTE_MIN_OUT_CHANNELS)) {
      const pads = convPadding(tf, attrs.inputShape, filter.shape, attrs);
      return backpropInputByConvolution(tf, backend, dy, filter, g, pads.bottom, pads.right);
    }
    const { taps, co, chunk, xItem, yItem } = chunkPlan(g, chunkFloats);
    const weights = reshapedInfo(filter, [taps, co]);
    const dx = backend.makeOutput([...attrs.inputShape], 'float32');
    if (g.batch === 0 || taps * co === 0) {
      (backend.typedArrayFromHeap(dx) as Float32Array).fill(0);
      return dx;
    }
    for (let b0 = 0; b0 < g.batch; b0 += chunk) {
      const items = Math.min(chunk, g.batch - b0);
      const part: ConvGeometry = { ...g, batch: items };
      const positions = positionsOf(part);
      const whole = items === g.batch;
      const dyPart = whole ? reshapedInfo(dy, [positions, co]) : copyRows(backend, dy, b0 * yItem * co, positions, co);
      try {
        const dcols = batchMatMul(tf, backend, dyPart, weights, false, true); // [positions, taps]
        const dxs = backend.typedArrayFromHeap(dx) as Float32Array;
        const dcs = backend.typedArrayFromHeap(dcols) as Float32Array;
        const dxPart = dxs.subarray(b0 * xItem, (b0 + items) * xItem);
        if (simd == null) col2im(dcs, part, dxPart);
        else {
          dxPart.fill(0);
          const params = [g.inHeight, g.inWidth, g.inChannels, g.outHeight, g.outWidth, g.filterHeight, g.filterWidth, g.strideHeight, g.strideWidth, g.padTop, g.padLeft];
          runOnHeap(col2imShare, [dcs, dxPart], params, items, positions * taps, Math.ceil(items / 2), simd);
        }
        backend.disposeData(dcols.dataId);
      } finally {
        if (!whole) backend.disposeData(dyPart.dataId);
      }
    }
    return dx;
  };
}

/**
 * col2im for batch items [begin, end) of a chunk by the SIMD kernel: arrays are the chunk's dcols [positions, taps]
 * and its part of dx (zero-filled); params the geometry. Items write disjoint parts of dx. A heap task: self-contained.
 */
export function col2imShare(arrays: Float32Array[], params: Int32Array, begin: number, end: number, simd: SimdKernels | null): void {
  if (simd == null) throw new Error('col2imShare needs the SIMD kernels');
  const [dcols, dx] = arrays as [Float32Array, Float32Array];
  const [inH = 0, inW = 0, ci = 0, outH = 0, outW = 0, fh = 1, fw = 1, sh = 1, sw = 1, pt = 0, pl = 0] = params;
  const itemBytes = outH * outW * fh * fw * ci * 4;
  simd.col2im(dcols.byteOffset + begin * itemBytes, dx.byteOffset, inH, inW, ci, outH, outW, fh, fw, sh, sw, pt, pl, begin, end);
}

registerHeapTasks(col2imShare);
