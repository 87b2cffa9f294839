// Conv2DBackpropFilter for the wasm backend, which tfjs-backend-wasm 4.22 does not register at all: without it no
// model with a conv2d layer can be trained on wasm. Channels-last (the only layout the wasm Conv2D supports); the
// loops run in JS over views of the wasm heap, ordered so the innermost loop is a contiguous multiply-add.
import { sizeOf } from './wasm-backend.ts';
import type { KernelArgs, KernelFn, Tf, TensorInfo, WasmBackendLike } from './wasm-backend.ts';

export function makeConv2DBackpropFilter(tf: Tf): KernelFn {
  return (args: KernelArgs) => {
    const backend = args.backend as WasmBackendLike;
    const x = args.inputs['x'] as TensorInfo;
    const dy = args.inputs['dy'] as TensorInfo;
    const attrs = (args.attrs ?? {}) as {
      strides: number | [number, number];
      pad: 'valid' | 'same' | number;
      dataFormat?: 'NHWC' | 'NCHW';
      dimRoundingMode?: 'floor' | 'round' | 'ceil';
      filterShape: [number, number, number, number];
    };
    if (attrs.dataFormat === 'NCHW') throw new Error('Conv2DBackpropFilter on wasm supports NHWC only');
    const info = tf.backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number],
      attrs.filterShape,
      attrs.strides,
      1,
      attrs.pad,
      attrs.dimRoundingMode,
      false,
      'channelsLast',
    );
    const { strideHeight: sh, strideWidth: sw, filterHeight: fh, filterWidth: fw, inHeight, inWidth, outHeight, outWidth, inChannels: ci, outChannels: co, batchSize } = info;
    const top = info.padInfo.top;
    const left = info.padInfo.left;
    const out = backend.makeOutput(info.filterShape, 'float32');
    const dw = backend.typedArrayFromHeap(out) as Float32Array;
    const xs = backend.typedArrayFromHeap(x) as Float32Array;
    const dys = backend.typedArrayFromHeap(dy) as Float32Array;
    dw.fill(0, 0, sizeOf(info.filterShape));
    for (let wR = 0; wR < fh; wR++) {
      const yRMin = Math.max(0, Math.ceil((top - wR) / sh));
      const yRMax = Math.min(outHeight, (inHeight + top - wR) / sh);
      for (let wC = 0; wC < fw; wC++) {
        const yCMin = Math.max(0, Math.ceil((left - wC) / sw));
        const yCMax = Math.min(outWidth, (inWidth + left - wC) / sw);
        const dwBase = (wR * fw + wC) * ci * co;
        for (let b = 0; b < batchSize; b++) {
          for (let yR = yRMin; yR < yRMax; yR++) {
            const xR = wR + yR * sh - top;
            for (let yC = yCMin; yC < yCMax; yC++) {
              const xC = wC + yC * sw - left;
              const xOff = ((b * inHeight + xR) * inWidth + xC) * ci;
              const dyOff = ((b * outHeight + yR) * outWidth + yC) * co;
              for (let d1 = 0; d1 < ci; d1++) {
                const xv = xs[xOff + d1] ?? 0;
                if (xv === 0) continue;
                const row = dwBase + d1 * co;
                for (let d2 = 0; d2 < co; d2++) dw[row + d2] = (dw[row + d2] ?? 0) + xv * (dys[dyOff + d2] ?? 0);
              }
            }
          }
        }
      }
    }
    return out;
  };
}
