// The backward pass of a conv → max pool block in one sparse SIMD pass (simd/conv-pool-backward.wat), registered under
// Layerlab's own name; conv-net-step.ts runs it where convPoolBackwardAvailable says so:
//
//   LayerlabConvPoolGrad  x, z, y, dy, filter → dW, db (, dx)
//     x: the conv's input; z: its output after relu (the pool's input); y: the pool's output; dy: dL/dy; attrs: the
//     pool's filterSize, strides, pad; relu (the conv's activation is relu, else linear); inputGradient (dx wanted).
//
// Why: a 2×2 max pool passes each window's gradient to one pixel (and relu drops the few windows whose maximum is not
// positive: ~15 % measured), so the gradient at the conv's output is ~4/5 zeros. The tape (and the written-out step
// without this kernel) builds that mostly-zero tensor at full size and then runs two dense convolutions over it
// (filter and input gradients) plus a bias sum. Here each window's gradient is applied where it lands: about a fifth
// of the multiply-adds, and the full-size gradient is never written. On the Small CNN and the Keras CNN this replaces
// relu's mask, MaxPoolGrad, Conv2DBackpropFilter, Conv2DBackpropInput and Sum for the second conv block (the first,
// over one input channel, takes LayerlabMaxPoolGradBias and the filter gradient kernel: see MIN_INPUT_CHANNELS).
//
// The batch is split between the main thread and the heap helper thread; each share sums dW and db into its own
// buffers (the two are added at the end) and writes dx for its own batch items.
import { registerHeapTasks, runOnHeap } from './heap-helper-thread.ts';
import { fusedMaxPoolGradAvailable, poolGradArgs } from './max-pool-grad.ts';
import { simdKernelsOf, type SimdKernels } from './simd/simd-kernels.ts';
import { sizeOf } from './wasm-backend.ts';
import type { KernelArgs, KernelFn, Tf, TensorInfo } from './wasm-backend.ts';

export const CONV_POOL_GRAD = 'LayerlabConvPoolGrad';

/** The conv layer's side of the block, as conv-net-step.ts knows it. */
export interface ConvOfBlock {
  filterShape: readonly number[];
  strides: [number, number];
  padding: 'same' | 'valid';
}

/**
 * Below this many input channels the kernel is slower than the dense path (LayerlabMaxPoolGradBias, then the filter
 * gradient kernel): with one input channel (the first layer on grey images) a nonzero gradient is only nine
 * multiply-adds, too few to repay finding it — measured on the Small CNN's first layer: 3.2 ms against 2.8.
 */
const MIN_INPUT_CHANNELS = 4;

/**
 * True when the active backend runs LayerlabConvPoolGrad for this block and it pays: wasm with the SIMD kernels, a
 * stride-1 convolution with no padding (padding 'valid', or 'same' with a 1×1 filter) over at least
 * MIN_INPUT_CHANNELS channels, then a 2×2 max pool whose windows neither overlap nor are cut by padding
 * (fusedMaxPoolGradAvailable), over the conv's output of `convOutputShape`.
 */
export function convPoolBackwardAvailable(tf: Tf, conv: ConvOfBlock, convOutputShape: readonly number[], poolSize: [number, number], poolStrides: [number, number], poolPad: 'same' | 'valid'): boolean {
  if (tf.getKernel(CONV_POOL_GRAD, 'wasm') == null) return false;
  const [fh = 0, fw = 0, ci = 0] = conv.filterShape;
  const unpadded = conv.padding === 'valid' || (fh === 1 && fw === 1);
  return ci >= MIN_INPUT_CHANNELS && conv.strides[0] === 1 && conv.strides[1] === 1 && unpadded && fusedMaxPoolGradAvailable(tf, convOutputShape, poolSize, poolStrides, poolPad);
}

/** Float counts of the work buffer's parts (all multiples of four: every part starts 16-byte aligned). */
function workLayout(co: number, fh: number, rowLength: number, withDx: boolean) {
  const paddedRow = (rowLength + 3) & ~3;
  const co4 = (co + 3) & ~3;
  const dw = co * fh * paddedRow;
  const wt = withDx ? dw : 0;
  // per share: dW, then db (float64), the window's g and argmax per channel
  return { paddedRow, co4, dw, wt, half: dw + 2 * co4 + co4 + co4 };
}

/**
 * One share of the batch, [begin, end): zeroes its items' dx, then runs the kernel into its own dW and db buffers.
 * arrays: x, z, y, dy, dx (x itself when no dx is wanted), work (Wt, then each share's buffers); params: inH, inW, ci,
 * outH, outW, co, fh, fw, poolH, poolW, poolStrideH, poolStrideW, relu, paddedRow, withDx, wt floats, share floats.
 * A heap task: self-contained.
 */
export function convPoolBackwardShare(arrays: Float32Array[], params: Int32Array, begin: number, end: number, simd: SimdKernels | null): void {
  if (simd == null) throw new Error('convPoolBackwardShare needs the SIMD kernels');
  const [x, z, y, dy, dx, work] = arrays as [Float32Array, Float32Array, Float32Array, Float32Array, Float32Array, Float32Array];
  const [inH = 0, inW = 0, ci = 0, outH = 0, outW = 0, co = 0, fh = 0, fw = 0, poolH = 0, poolW = 0, psh = 2, psw = 2, relu = 0, paddedRow = 4, withDx = 0, wtFloats = 0, shareFloats = 0] = params;
  const co4 = (co + 3) & ~3;
  const dwFloats = co * fh * paddedRow;
  const start = wtFloats + (begin === 0 ? 0 : shareFloats); // this share's buffers, zeroed by the caller
  const item = inH * inW * ci;
  if (withDx === 1) dx.fill(0, begin * item, end * item);
  const base = work.byteOffset + 4 * start;
  simd.conv_pool_backward(
    x.byteOffset, z.byteOffset, y.byteOffset, dy.byteOffset, work.byteOffset, withDx === 1 ? dx.byteOffset : 0,
    base, base + 4 * dwFloats, base + 4 * (dwFloats + 2 * co4), base + 4 * (dwFloats + 3 * co4),
    inH, inW, ci, outH, outW, co, fh, fw, poolH, poolW, psh, psw, relu, paddedRow, x.byteOffset + 4 * x.length, begin, end,
  );
}

registerHeapTasks(convPoolBackwardShare);

export function makeConvPoolGrad(tf: Tf): KernelFn {
  return (args: KernelArgs) => {
    const { x, z, y, dy, filter } = args.inputs as Record<string, TensorInfo | undefined>;
    if (x == null || z == null || y == null || dy == null || filter == null) throw new Error(`${CONV_POOL_GRAD}: x, z, y, dy and filter are needed`);
    // The pool's geometry over z, as MaxPoolGrad reads it.
    const { backend, info } = poolGradArgs(tf, { ...args, inputs: { dy, input: z, output: y } });
    const simd = simdKernelsOf(backend);
    const [batch = 0, inH = 0, inW = 0, ci = 0] = x.shape;
    const [fh = 0, fw = 0, fci = 0, co = 0] = filter.shape;
    const [, outH = 0, outW = 0, zc = 0] = z.shape;
    if (simd == null) throw new Error(`${CONV_POOL_GRAD} needs the SIMD kernels (see convPoolBackwardAvailable)`);
    if (fci !== ci || zc !== co || outH !== inH - fh + 1 || outW !== inW - fw + 1) {
      throw new Error(`${CONV_POOL_GRAD}: z ${z.shape.join('×')} is not a stride-1 unpadded convolution of x ${x.shape.join('×')} by a ${filter.shape.join('×')} filter`);
    }
    const withDx = args.attrs?.['inputGradient'] === true;
    const rowLength = fw * ci;
    const layout = workLayout(co, fh, rowLength, withDx);
    const dw = backend.makeOutput([...filter.shape], 'float32');
    const db = backend.makeOutput([co], 'float32');
    const dx = withDx ? backend.makeOutput([...x.shape], 'float32') : null;
    const work = backend.makeOutput([layout.wt + 2 * layout.half], 'float32');
    try {
      // Views after every allocation: growing the heap detaches older views.
      const view = (t: TensorInfo) => backend.typedArrayFromHeap(t) as Float32Array;
      const [xs, zs, ys, dys, ws, dws, dbs, works] = [view(x), view(z), view(y), view(dy), view(filter), view(dw), view(db), view(work)];
      const { paddedRow, dw: dwFloats, wt: wtFloats, half } = layout;
      // Wt[o][r][t] = W[r][t][o] (t = kw·ci + c), padding lanes zero: each out channel's filter rows contiguous.
      works.fill(0); // Wt's padding lanes and both shares' sums
      if (withDx) {
        for (let o = 0; o < co; o++) for (let r = 0; r < fh; r++) for (let t = 0; t < rowLength; t++) works[(o * fh + r) * paddedRow + t] = ws[(r * rowLength + t) * co + o] ?? 0;
      }
      const params = [inH, inW, ci, outH, outW, co, fh, fw, info.outHeight, info.outWidth, info.strideHeight, info.strideWidth, args.attrs?.['relu'] === true ? 1 : 0, paddedRow, withDx ? 1 : 0, wtFloats, half];
      runOnHeap(convPoolBackwardShare, [xs, zs, ys, dys, dx == null ? xs : view(dx), works], params, batch, sizeOf(z.shape) * 4, Math.ceil(batch / 2), simd);
      // The two shares' sums: dW back to [fh][fw][ci][co]; db from float64.
      const a = wtFloats;
      const b = wtFloats + half;
      for (let o = 0; o < co; o++) {
        for (let r = 0; r < fh; r++) {
          const from = (o * fh + r) * paddedRow;
          for (let t = 0; t < rowLength; t++) dws[(r * rowLength + t) * co + o] = (works[a + from + t] ?? 0) + (works[b + from + t] ?? 0);
        }
      }
      const sums = new Float64Array(works.buffer, works.byteOffset + 4 * (a + dwFloats), layout.co4);
      const sumsB = new Float64Array(works.buffer, works.byteOffset + 4 * (b + dwFloats), layout.co4);
      for (let o = 0; o < co; o++) dbs[o] = (sums[o] ?? 0) + (sumsB[o] ?? 0);
    } finally {
      backend.disposeData(work.dataId);
    }
    return dx == null ? [dw, db] : [dw, db, dx];
  };
}
