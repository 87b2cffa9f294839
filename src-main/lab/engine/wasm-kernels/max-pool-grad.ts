// MaxPoolGrad for the wasm backend: each output's gradient goes to the first maximum of its window (row-major, the
// padding never wins), exactly the cpu backend's rule, in one JS pass over the windows with all channels of a pixel
// handled together (channels-last keeps them contiguous). Stock tfjs-backend-wasm 4.22's kernel visits every input
// pixel and re-scans every window covering it: ~15× slower on the Small CNN's first pool.
//
// The common pool — 2×2 windows that do not overlap (strides ≥ 2) — takes a branch-free path: the pooled value y (the
// kernel's `output` input, which the gradient always passes) is the window's maximum, so the first input equal to y
// is the one to receive dy. Which of the four that is, is data (a coin toss per window after a relu): written with
// branches the loop mispredicts about once per window; as 0/1 multipliers it runs ~2.5× faster, and every pixel of
// the window is written once (no zero fill first, no read-modify-write). Windows whose y or dy is not finite take the
// general path (0 × ∞ would be NaN; a NaN or −∞ y matches no input as the rule requires). When no window is cut by
// padding, the same rule runs four channels at a time in the SIMD kernel (simd/max-pool-grad.wat).
//
// LayerlabMaxPoolGradBias (registered under Layerlab's own name; conv-net-step.ts runs it where
// fusedMaxPoolGradAvailable says so) is that SIMD pass with the conv layer below folded in:
//   dy, input, output → dx, Σdx over batch, height and width per channel (the conv's bias gradient)
// and, with the attribute relu, dy·step(output) first (relu's derivative at the pooled maximum). On the Small CNN it
// replaces three passes — relu's derivative, MaxPoolGrad, and the bias gradient's Sum over the full-size dx — by one.
import { registerHeapTasks, runOnHeap } from './heap-helper-thread.ts';
import { simdKernelsOf, type SimdKernels } from './simd/simd-kernels.ts';
import { sizeOf } from './wasm-backend.ts';
import type { KernelArgs, KernelFn, Tf, TensorInfo, WasmBackendLike } from './wasm-backend.ts';

interface PoolAttrs {
  filterSize: number | [number, number];
  strides: number | [number, number];
  pad: 'valid' | 'same' | number;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/** What a pool gradient kernel (MaxPoolGrad, AvgPoolGrad) reads from its args: backend, dy, the pool's input, geometry. */
export function poolGradArgs(tf: Tf, args: KernelArgs) {
  const x = args.inputs['input'] as TensorInfo;
  const attrs = (args.attrs ?? {}) as unknown as PoolAttrs;
  return {
    backend: args.backend as WasmBackendLike,
    dy: args.inputs['dy'] as TensorInfo,
    x,
    info: tf.backend_util.computePool2DInfo(x.shape as [number, number, number, number], attrs.filterSize, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode),
  };
}

export const MAX_POOL_GRAD_BIAS = 'LayerlabMaxPoolGradBias';

type PoolInfo = ReturnType<typeof poolGradArgs>['info'];

/** True when every window is a whole 2×2 one with no overlap (strides ≥ 2, none cut by padding): the SIMD kernel's case. */
function wholeNonOverlapping2x2(info: PoolInfo): boolean {
  const { inHeight, inWidth, outHeight, outWidth, filterHeight, filterWidth, strideHeight, strideWidth } = info;
  return filterHeight === 2 && filterWidth === 2 && strideHeight >= 2 && strideWidth >= 2 && info.padInfo.top === 0 && info.padInfo.left === 0 &&
    (outHeight - 1) * strideHeight + 2 <= inHeight && (outWidth - 1) * strideWidth + 2 <= inWidth;
}

/** Whether the windows tile x exactly (else the pixels in no window must be zeroed first). */
function windowsTile(info: PoolInfo): boolean {
  return info.strideHeight === 2 && info.strideWidth === 2 && info.padInfo.top === 0 && info.padInfo.left === 0 && info.inHeight === 2 * info.outHeight && info.inWidth === 2 * info.outWidth;
}

/**
 * True when the active backend runs LayerlabMaxPoolGradBias for a max pool of this geometry over an input of
 * `inputShape` (NHWC): wasm with the SIMD kernels, 2×2 windows that neither overlap nor are cut by padding.
 */
export function fusedMaxPoolGradAvailable(tf: Tf, inputShape: readonly number[], poolSize: [number, number], strides: [number, number], pad: 'same' | 'valid'): boolean {
  if (tf.getBackend() !== 'wasm' || tf.getKernel(MAX_POOL_GRAD_BIAS, 'wasm') == null || simdKernelsOf(tf.backend()) == null || inputShape.length !== 4) return false;
  return wholeNonOverlapping2x2(tf.backend_util.computePool2DInfo(inputShape as [number, number, number, number], poolSize, strides, 1, pad));
}

/** LayerlabMaxPoolGradBias: dy, input, output → [dx, Σdx per channel]; attrs as MaxPoolGrad's, plus relu. */
export function makeMaxPoolGradBias(tf: Tf): KernelFn {
  return (args: KernelArgs) => {
    const { backend, dy, x, info } = poolGradArgs(tf, args);
    const output = args.inputs['output'];
    const simd = simdKernelsOf(backend);
    if (output == null || simd == null || !wholeNonOverlapping2x2(info)) throw new Error(`${MAX_POOL_GRAD_BIAS} takes 2×2 windows that neither overlap nor are cut by padding, with the SIMD kernels (see fusedMaxPoolGradAvailable)`);
    const ch = info.inChannels;
    const dx = backend.makeOutput([...x.shape], 'float32');
    const sums = backend.makeOutput([ch], 'float32');
    const partials = backend.makeOutput([4 * ch], 'float32'); // two threads' float64 sums (malloc aligns for float64)
    try {
      const view = (t: TensorInfo) => backend.typedArrayFromHeap(t) as Float32Array; // after the allocations
      const [xs, ys, dys, dxs, ps] = [view(x), view(output), view(dy), view(dx), view(partials)];
      if (!windowsTile(info)) dxs.fill(0, 0, sizeOf(x.shape));
      ps.fill(0);
      const params = [info.inHeight, info.inWidth, ch, info.outHeight, info.outWidth, info.strideHeight, info.strideWidth, 0, 0, args.attrs?.['relu'] === true ? 1 : 0];
      runOnHeap(maxPoolGradShare, [xs, ys, dys, dxs, ps.subarray(0, 2 * ch), ps.subarray(2 * ch)], params, info.batchSize, sizeOf(x.shape), Math.ceil(info.batchSize / 2), simd);
      const both = new Float64Array(ps.buffer, ps.byteOffset, 2 * ch);
      const out = backend.typedArrayFromHeap(sums) as Float32Array;
      for (let c = 0; c < ch; c++) out[c] = (both[c] ?? 0) + (both[ch + c] ?? 0);
    } finally {
      backend.disposeData(partials.dataId);
    }
    return [dx, sums];
  };
}

export function makeMaxPoolGrad(tf: Tf): KernelFn {
  return (args: KernelArgs) => {
    const { backend, dy, x, info } = poolGradArgs(tf, args);
    const { batchSize, inHeight, inWidth, inChannels: ch, outHeight, outWidth, filterHeight, filterWidth, strideHeight, strideWidth } = info;
    const top = info.padInfo.top;
    const left = info.padInfo.left;
    const dx = backend.makeOutput([...x.shape], 'float32');
    const dxs = backend.typedArrayFromHeap(dx) as Float32Array;
    const xs = backend.typedArrayFromHeap(x) as Float32Array;
    const dys = backend.typedArrayFromHeap(dy) as Float32Array;
    const output = args.inputs['output'];
    const ys = output == null ? null : (backend.typedArrayFromHeap(output) as Float32Array);
    // Non-overlapping 2×2 windows (strides ≥ 2): each input pixel is in at most one window, so windows are written,
    // not added; split by batch item between the main thread and the heap helper thread.
    if (ys != null && filterHeight === 2 && filterWidth === 2 && strideHeight >= 2 && strideWidth >= 2) {
      // Pixels in no window (padding edges, odd sizes, strides over 2) must read 0: fill unless the windows tile x.
      if (!windowsTile(info)) dxs.fill(0, 0, sizeOf(x.shape));
      const simd = simdKernelsOf(backend);
      const params = [inHeight, inWidth, ch, outHeight, outWidth, strideHeight, strideWidth, top, left, 0];
      if (simd != null && wholeNonOverlapping2x2(info)) runOnHeap(maxPoolGradShare, [xs, ys, dys, dxs], params, batchSize, sizeOf(x.shape), Math.ceil(batchSize / 2), simd);
      else runOnHeap(maxPoolGrad2x2, [xs, ys, dys, dxs], params, batchSize, sizeOf(x.shape));
      return dx;
    }
    dxs.fill(0, 0, sizeOf(x.shape));
    let o = 0;
    for (let b = 0; b < batchSize; b++) {
      for (let yR = 0; yR < outHeight; yR++) {
        const r0 = Math.max(0, yR * strideHeight - top);
        const r1 = Math.min(inHeight, yR * strideHeight - top + filterHeight);
        for (let yC = 0; yC < outWidth; yC++, o += ch) {
          const c0 = Math.max(0, yC * strideWidth - left);
          const c1 = Math.min(inWidth, yC * strideWidth - left + filterWidth);
          const corner = ((b * inHeight + r0) * inWidth + c0) * ch;
          const rowStep = inWidth * ch;
          if (r1 - r0 === 2 && c1 - c0 === 2) {
            // A whole 2×2 window of overlapping pools written out: four reads, the same first-maximum rule.
            for (let d = 0, i = corner; d < ch; d++, i++) {
              const v0 = xs[i] ?? 0;
              const v1 = xs[i + ch] ?? 0;
              const v2 = xs[i + rowStep] ?? 0;
              const v3 = xs[i + rowStep + ch] ?? 0;
              let best = v0;
              let at = v0 > -Infinity ? i : -1;
              if (v1 > best || (at < 0 && v1 > -Infinity)) {
                best = v1;
                at = i + ch;
              }
              if (v2 > best || (at < 0 && v2 > -Infinity)) {
                best = v2;
                at = i + rowStep;
              }
              if (v3 > best || (at < 0 && v3 > -Infinity)) at = i + rowStep + ch;
              if (at >= 0) dxs[at] = (dxs[at] ?? 0) + (dys[o + d] ?? 0);
            }
            continue;
          }
          for (let d = 0; d < ch; d++) firstMaximumGets(xs, dxs, corner + d, r1 - r0, c1 - c0, ch, rowStep, dys[o + d] ?? 0);
        }
      }
    }
    return dx;
  };
}

/** Adds g at the window's first maximum (row-major; −∞ and NaN never win): the cpu backend's rule for any window. */
function firstMaximumGets(xs: Float32Array, dxs: Float32Array, corner: number, rows: number, cols: number, ch: number, rowStep: number, g: number): void {
  let best = -Infinity;
  let at = -1;
  for (let r = 0, row = corner; r < rows; r++, row += rowStep) {
    for (let c = 0, i = row; c < cols; c++, i += ch) {
      const v = xs[i] ?? 0;
      if (v > best) {
        best = v;
        at = i;
      }
    }
  }
  if (at >= 0) dxs[at] = (dxs[at] ?? 0) + g;
}

/**
 * The gradient of a 2×2 pool whose windows do not overlap (strides ≥ 2), for batch items [begin, end): whole windows
 * by the branch-free rule above, every pixel written once; windows cut by the padding by the first-maximum rule over
 * their inside part (dx must be zero-filled first unless the windows tile x). A heap task (heap-helper-thread.ts):
 * self-contained, so the helper thread can run its source. arrays: x, y (pooled), dy, dx; params: inHeight, inWidth,
 * channels, outHeight, outWidth, strideHeight, strideWidth, padTop, padLeft.
 */
export function maxPoolGrad2x2(arrays: Float32Array[], params: Int32Array, begin: number, end: number): void {
  const xs = arrays[0] as Float32Array;
  const ys = arrays[1] as Float32Array;
  const dys = arrays[2] as Float32Array;
  const dxs = arrays[3] as Float32Array;
  const [inHeight = 0, inWidth = 0, ch = 0, outHeight = 0, outWidth = 0, strideHeight = 2, strideWidth = 2, top = 0, left = 0] = params;
  const rowStep = inWidth * ch;
  for (let b = begin; b < end; b++) {
    let o = b * outHeight * outWidth * ch;
    for (let yR = 0; yR < outHeight; yR++) {
      const r0 = Math.max(0, yR * strideHeight - top);
      const r1 = Math.min(inHeight, yR * strideHeight - top + 2);
      for (let yC = 0; yC < outWidth; yC++) {
        const c0 = Math.max(0, yC * strideWidth - left);
        const c1 = Math.min(inWidth, yC * strideWidth - left + 2);
        const corner = ((b * inHeight + r0) * inWidth + c0) * ch;
        const whole = r1 - r0 === 2 && c1 - c0 === 2;
        for (let d = 0, i = corner; d < ch; d++, i++, o++) {
          const m = ys[o] ?? 0;
          let g = dys[o] ?? 0;
          if (whole && g - g === 0 && m - m === 0) {
            // e = 1 at the first input equal to the maximum, then g drops to 0 for the rest of the window.
            const e0 = +(xs[i] === m);
            dxs[i] = e0 * g;
            g -= e0 * g;
            const e1 = +(xs[i + ch] === m);
            dxs[i + ch] = e1 * g;
            g -= e1 * g;
            const e2 = +(xs[i + rowStep] === m);
            dxs[i + rowStep] = e2 * g;
            g -= e2 * g;
            dxs[i + rowStep + ch] = +(xs[i + rowStep + ch] === m) * g;
            continue;
          }
          // A cut window, or a non-finite maximum or gradient: the cpu rule written out (−∞ and NaN never win; no
          // 0 × ∞). The window's pixels are zero (filled, or written here for a whole window).
          let best = -Infinity;
          let at = -1;
          for (let r = r0, row = i; r < r1; r++, row += rowStep) {
            for (let c = c0, j = row; c < c1; c++, j += ch) {
              if (whole) dxs[j] = 0;
              const v = xs[j] ?? 0;
              if (v > best) {
                best = v;
                at = j;
              }
            }
          }
          if (at >= 0) dxs[at] = g;
        }
      }
    }
  }
}

/**
 * maxPoolGrad2x2's windows by the SIMD kernel, for batch items [begin, end) — only where no window is cut by padding
 * (the kernel takes no padding). Same arrays and params as maxPoolGrad2x2, plus params[9]: relu's derivative first
 * (1) or not (0); and optionally arrays[4] and arrays[5], the float64 per-channel sums of dx of the main thread's
 * share (begin 0) and of the helper's (2·channels floats each). A heap task: self-contained.
 */
export function maxPoolGradShare(arrays: Float32Array[], params: Int32Array, begin: number, end: number, simd: SimdKernels | null): void {
  if (simd == null) throw new Error('maxPoolGradShare needs the SIMD kernels');
  const [inHeight = 0, inWidth = 0, ch = 0, outHeight = 0, outWidth = 0, strideHeight = 2, strideWidth = 2, , , relu = 0] = params;
  const [xs, ys, dys, dxs] = arrays as [Float32Array, Float32Array, Float32Array, Float32Array];
  const sums = arrays.length < 6 ? null : ((begin === 0 ? arrays[4] : arrays[5]) as Float32Array);
  simd.max_pool_grad_2x2(xs.byteOffset, ys.byteOffset, dys.byteOffset, dxs.byteOffset, inHeight, inWidth, ch, outHeight, outWidth, strideHeight, strideWidth, begin, end, relu, sums == null ? 0 : sums.byteOffset);
}

registerHeapTasks(maxPoolGrad2x2, maxPoolGradShare);
