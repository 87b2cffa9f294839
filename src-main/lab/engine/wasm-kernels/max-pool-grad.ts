// MaxPoolGrad for the wasm backend: each output's gradient goes to the first maximum of its window (row-major, the
// padding never wins), exactly the cpu backend's rule, in one JS pass over the windows with all channels of a pixel
// handled together (channels-last keeps them contiguous). Stock tfjs-backend-wasm 4.22's kernel visits every input
// pixel and re-scans every window covering it: ~15× slower on the Small CNN's first pool.
import { sizeOf } from './wasm-backend.ts';
import type { KernelArgs, KernelFn, Tf, TensorInfo, WasmBackendLike } from './wasm-backend.ts';

interface PoolAttrs {
  filterSize: number | [number, number];
  strides: number | [number, number];
  pad: 'valid' | 'same' | number;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

export function makeMaxPoolGrad(tf: Tf): KernelFn {
  return (args: KernelArgs) => {
    const backend = args.backend as WasmBackendLike;
    const dy = args.inputs['dy'] as TensorInfo;
    const x = args.inputs['input'] as TensorInfo;
    const attrs = (args.attrs ?? {}) as unknown as PoolAttrs;
    const info = tf.backend_util.computePool2DInfo(x.shape as [number, number, number, number], attrs.filterSize, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode);
    const { batchSize, inHeight, inWidth, inChannels: ch, outHeight, outWidth, filterHeight, filterWidth, strideHeight, strideWidth } = info;
    const top = info.padInfo.top;
    const left = info.padInfo.left;
    const dx = backend.makeOutput([...x.shape], 'float32');
    const dxs = backend.typedArrayFromHeap(dx) as Float32Array;
    const xs = backend.typedArrayFromHeap(x) as Float32Array;
    const dys = backend.typedArrayFromHeap(dy) as Float32Array;
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
            // A whole 2×2 window (the common pool) written out: four reads, the same first-maximum rule.
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
          for (let d = 0; d < ch; d++) {
            let best = -Infinity;
            let at = -1;
            for (let r = r0, row = corner + d; r < r1; r++, row += rowStep) {
              for (let c = c0, i = row; c < c1; c++, i += ch) {
                const v = xs[i] ?? 0;
                if (v > best) {
                  best = v;
                  at = i;
                }
              }
            }
            if (at >= 0) dxs[at] = (dxs[at] ?? 0) + (dys[o + d] ?? 0);
          }
        }
      }
    }
    return dx;
  };
}
