// AvgPoolGrad for the wasm backend: each window's gradient, times 1/(filter height × filter width) — tfjs's rule (the
// cpu backend's divisor, padding counted), added to every input pixel of the window, all channels of a pixel together
// (channels-last keeps them contiguous); split by batch item with the heap helper thread (heap-helper-thread.ts).
// Stock tfjs-backend-wasm 4.22's kernel took 19 ms of CPU a step for the two 2×2 pools of a Small-CNN-shaped network,
// more than its two conv layers' filter gradients. With the SIMD kernels the same windows run four channels at a time
// (simd/avg-pool-grad.wat).
import { registerHeapTasks, runOnHeap } from './heap-helper-thread.ts';
import { simdKernelsOf, type SimdKernels } from './simd/simd-kernels.ts';
import { poolGradArgs } from './max-pool-grad.ts';
import { sizeOf } from './wasm-backend.ts';
import type { KernelArgs, KernelFn, Tf } from './wasm-backend.ts';

export function makeAvgPoolGrad(tf: Tf): KernelFn {
  return (args: KernelArgs) => {
    const { backend, dy, x, info } = poolGradArgs(tf, args);
    const dx = backend.makeOutput([...x.shape], 'float32');
    const dxs = backend.typedArrayFromHeap(dx) as Float32Array; // views after the allocation
    const dys = backend.typedArrayFromHeap(dy) as Float32Array;
    dxs.fill(0, 0, sizeOf(x.shape));
    const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, filterHeight, filterWidth, strideHeight, strideWidth } = info;
    const params = [inHeight, inWidth, inChannels, outHeight, outWidth, filterHeight, filterWidth, strideHeight, strideWidth, info.padInfo.top, info.padInfo.left];
    const simd = simdKernelsOf(backend);
    if (simd != null) runOnHeap(avgPoolGradShare, [dys, dxs], params, batchSize, sizeOf(x.shape), Math.ceil(batchSize / 2), simd);
    else runOnHeap(avgPoolGradItems, [dys, dxs], params, batchSize, sizeOf(x.shape));
    return dx;
  };
}

/**
 * dx += dy · 1/(fh·fw) over every window of batch items [begin, end) (dx zero-filled first). A heap task: self-contained,
 * so the helper thread can run its source. arrays: dy, dx; params: inHeight, inWidth, channels, outHeight, outWidth,
 * filterHeight, filterWidth, strideHeight, strideWidth, padTop, padLeft.
 */
export function avgPoolGradItems(arrays: Float32Array[], params: Int32Array, begin: number, end: number): void {
  const dys = arrays[0] as Float32Array;
  const dxs = arrays[1] as Float32Array;
  const [inHeight = 0, inWidth = 0, ch = 0, outHeight = 0, outWidth = 0, fh = 1, fw = 1, sh = 1, sw = 1, top = 0, left = 0] = params;
  const scale = 1 / (fh * fw);
  const apart = sh >= fh && sw >= fw;
  for (let b = begin; b < end; b++) {
    let o = b * outHeight * outWidth * ch;
    for (let yR = 0; yR < outHeight; yR++) {
      const r0 = Math.max(0, yR * sh - top);
      const r1 = Math.min(inHeight, yR * sh - top + fh);
      for (let yC = 0; yC < outWidth; yC++, o += ch) {
        const c0 = Math.max(0, yC * sw - left);
        const c1 = Math.min(inWidth, yC * sw - left + fw);
        for (let r = r0; r < r1; r++) {
          for (let c = c0; c < c1; c++) {
            const at = ((b * inHeight + r) * inWidth + c) * ch;
            // Windows that cannot overlap (strides ≥ the filter) write each pixel once: no read of dx.
            if (apart) for (let d = 0; d < ch; d++) dxs[at + d] = (dys[o + d] ?? 0) * scale;
            else for (let d = 0; d < ch; d++) dxs[at + d] = (dxs[at + d] ?? 0) + (dys[o + d] ?? 0) * scale;
          }
        }
      }
    }
  }
}

/** avgPoolGradItems by the SIMD kernel: same arrays and params. A heap task: self-contained. */
export function avgPoolGradShare(arrays: Float32Array[], params: Int32Array, begin: number, end: number, simd: SimdKernels | null): void {
  if (simd == null) throw new Error('avgPoolGradShare needs the SIMD kernels');
  const [dys, dxs] = arrays as [Float32Array, Float32Array];
  const [inHeight = 0, inWidth = 0, ch = 0, outHeight = 0, outWidth = 0, fh = 1, fw = 1, sh = 1, sw = 1, top = 0, left = 0] = params;
  simd.avg_pool_grad(dys.byteOffset, dxs.byteOffset, inHeight, inWidth, ch, outHeight, outWidth, fh, fw, sh, sw, top, left, 1 / (fh * fw), begin, end);
}

registerHeapTasks(avgPoolGradItems, avgPoolGradShare);
