// The lowering that turns a 2-D convolution's two backprops into one matrix product each, so they run on XNNPACK's
// threaded fully-connected kernel (through the fast BatchMatMul) instead of scalar loops:
//   filter gradient  dW[K, co] = colsᵀ[K, P] · dy[P, co]
//   input gradient   dx       = col2im(dy[P, co] · Wᵀ[co, K])
// with P = batch·outHeight·outWidth output positions and K = filterHeight·filterWidth·inChannels, ordered like the
// filter tensor [fh, fw, ci, co] so that dW needs no reordering. Channels-last only (the wasm Conv2D's layout).
// The gather and scatter are plain JS loops over views of the wasm heap: memory-bound passes over P·K floats (the
// gather is still a third of the filter gradient's time on the CNN presets; its loop order matters, see below).
import { registerHeapTasks, runOnHeap } from './heap-helper-thread.ts';
import type { Tf } from './wasm-backend.ts';

export interface ConvGeometry {
  batch: number;
  inHeight: number;
  inWidth: number;
  inChannels: number;
  outHeight: number;
  outWidth: number;
  outChannels: number;
  filterHeight: number;
  filterWidth: number;
  strideHeight: number;
  strideWidth: number;
  padTop: number;
  padLeft: number;
}

export interface ConvAttrs {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | [[number, number], [number, number], [number, number], [number, number]];
  dataFormat?: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  dilations?: number | [number, number];
}

type Shape4 = [number, number, number, number];

export function convGeometry(tf: Tf, kernelName: string, xShape: readonly number[], filterShape: readonly number[], attrs: ConvAttrs): ConvGeometry {
  if (attrs.dataFormat === 'NCHW') throw new Error(`${kernelName} on wasm supports NHWC only`);
  const dilations = attrs.dilations ?? 1;
  if (dilations !== 1 && !(Array.isArray(dilations) && dilations[0] === 1 && dilations[1] === 1)) {
    throw new Error(`${kernelName} on wasm supports dilation 1 only`);
  }
  const info = tf.backend_util.computeConv2DInfo(xShape as Shape4, filterShape as Shape4, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode, false, 'channelsLast');
  return {
    batch: info.batchSize,
    inHeight: info.inHeight,
    inWidth: info.inWidth,
    inChannels: info.inChannels,
    outHeight: info.outHeight,
    outWidth: info.outWidth,
    outChannels: info.outChannels,
    filterHeight: info.filterHeight,
    filterWidth: info.filterWidth,
    strideHeight: info.strideHeight,
    strideWidth: info.strideWidth,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
  };
}

/** The forward convolution's padding on all four sides. */
export function convPadding(tf: Tf, xShape: readonly number[], filterShape: readonly number[], attrs: ConvAttrs): { top: number; bottom: number; left: number; right: number } {
  const info = tf.backend_util.computeConv2DInfo(xShape as Shape4, filterShape as Shape4, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode, false, 'channelsLast');
  return info.padInfo;
}

/** Output positions P (rows of the lowered product). */
export function positionsOf(g: ConvGeometry): number {
  return g.batch * g.outHeight * g.outWidth;
}

/** Filter taps K (columns of the lowered product). */
export function tapsOf(g: ConvGeometry): number {
  return g.filterHeight * g.filterWidth * g.inChannels;
}

/**
 * colsᵀ[k, p] = x at the input pixel tap k of output position p sees (0 in the padding), split by filter tap between
 * the main thread and the heap helper thread (heap-helper-thread.ts). Two loop orders, chosen by channel count
 * (measured in one run on the Small and Keras CNN shapes):
 *  - few channels: row by row, every write sequential (the reads step by inChannels);
 *  - 8 or more: pixel by pixel, all of a pixel's channels read together (they are contiguous, channels-last) and
 *    written to inChannels rows at once — one pass over x per tap instead of one per tap and channel, 1.3–1.8×
 *    faster at 16 and 32 channels (the row-by-row order's strided reads each touch a new cache line).
 */
export function im2colTransposed(x: Float32Array, g: ConvGeometry, colsT: Float32Array): void {
  const params = [g.batch, g.inHeight, g.inWidth, g.inChannels, g.outHeight, g.outWidth, g.filterHeight, g.filterWidth, g.strideHeight, g.strideWidth, g.padTop, g.padLeft];
  const task = g.inChannels >= 8 ? gatherTapsByPixel : gatherTapsByRow;
  runOnHeap(task, [x, colsT], params, g.filterHeight * g.filterWidth, positionsOf(g) * tapsOf(g));
}

// The two gathers are heap tasks: self-contained (no calls, no closures) because the helper thread runs their source.
// params: batch, inHeight, inWidth, inChannels, outHeight, outWidth, filterHeight, filterWidth, strideHeight,
// strideWidth, padTop, padLeft; arrays: x, colsT; work units: filter taps (wR·filterWidth + wC) in [begin, end).

/** Row by row: for each tap and channel, one sequential row of colsᵀ. */
export function gatherTapsByRow(arrays: Float32Array[], params: Int32Array, begin: number, end: number): void {
  const x = arrays[0] as Float32Array;
  const colsT = arrays[1] as Float32Array;
  const [batch = 0, inHeight = 0, inWidth = 0, ci = 0, outHeight = 0, outWidth = 0, , filterWidth = 1, sh = 1, sw = 1, padTop = 0, padLeft = 0] = params;
  const positions = batch * outHeight * outWidth;
  let p = begin * ci * positions;
  for (let tap = begin; tap < end; tap++) {
    const wR = Math.floor(tap / filterWidth);
    const wC = tap - wR * filterWidth;
    // Output columns whose tap column wC lands inside the input: yC in [c0, c1).
    const c0 = Math.min(outWidth, Math.max(0, Math.ceil((padLeft - wC) / sw)));
    const c1 = Math.max(c0, Math.min(outWidth, Math.ceil((inWidth + padLeft - wC) / sw)));
    for (let c = 0; c < ci; c++) {
      for (let b = 0; b < batch; b++) {
        for (let yR = 0; yR < outHeight; yR++) {
          const xR = yR * sh - padTop + wR;
          if (xR < 0 || xR >= inHeight) {
            colsT.fill(0, p, p + outWidth);
            p += outWidth;
            continue;
          }
          const rowBase = (b * inHeight + xR) * inWidth;
          for (let yC = 0; yC < c0; yC++) colsT[p++] = 0;
          let src = (rowBase + c0 * sw - padLeft + wC) * ci + c;
          const step = sw * ci;
          for (let yC = c0; yC < c1; yC++) {
            colsT[p++] = x[src] ?? 0;
            src += step;
          }
          for (let yC = c1; yC < outWidth; yC++) colsT[p++] = 0;
        }
      }
    }
  }
}

/** Pixel by pixel: a pixel's channels, contiguous in x, written to their inChannels rows at once. */
export function gatherTapsByPixel(arrays: Float32Array[], params: Int32Array, begin: number, end: number): void {
  const x = arrays[0] as Float32Array;
  const colsT = arrays[1] as Float32Array;
  const [batch = 0, inHeight = 0, inWidth = 0, ci = 0, outHeight = 0, outWidth = 0, , filterWidth = 1, sh = 1, sw = 1, padTop = 0, padLeft = 0] = params;
  const positions = batch * outHeight * outWidth;
  for (let tap = begin; tap < end; tap++) {
    const wR = Math.floor(tap / filterWidth);
    const wC = tap - wR * filterWidth;
    const firstRow = tap * ci * positions; // row k = tap·ci + c starts at k·positions
    const c0 = Math.min(outWidth, Math.max(0, Math.ceil((padLeft - wC) / sw)));
    const c1 = Math.max(c0, Math.min(outWidth, Math.ceil((inWidth + padLeft - wC) / sw)));
    let p = 0;
    for (let b = 0; b < batch; b++) {
      for (let yR = 0; yR < outHeight; yR++, p += outWidth) {
        const xR = yR * sh - padTop + wR;
        if (xR < 0 || xR >= inHeight) {
          for (let c = 0, row = firstRow + p; c < ci; c++, row += positions) colsT.fill(0, row, row + outWidth);
          continue;
        }
        const rowSrc = ((b * inHeight + xR) * inWidth - padLeft + wC) * ci;
        for (let yC = 0; yC < outWidth; yC++) {
          let dst = firstRow + p + yC;
          if (yC < c0 || yC >= c1) {
            for (let c = 0; c < ci; c++, dst += positions) colsT[dst] = 0;
            continue;
          }
          const src = rowSrc + yC * sw * ci;
          for (let c = 0; c < ci; c++, dst += positions) colsT[dst] = x[src + c] ?? 0;
        }
      }
    }
  }
}

/** dx = Σ over output positions and taps of dcols[p, k] added at the input pixel they came from (the adjoint of im2col). */
export function col2im(dcols: Float32Array, g: ConvGeometry, dx: Float32Array): void {
  const { batch, inHeight, inWidth, inChannels: ci, outHeight, outWidth, filterHeight, filterWidth, strideHeight: sh, strideWidth: sw, padTop, padLeft } = g;
  const taps = filterHeight * filterWidth * ci;
  dx.fill(0, 0, batch * inHeight * inWidth * ci);
  let p = 0;
  for (let b = 0; b < batch; b++) {
    for (let yR = 0; yR < outHeight; yR++) {
      for (let yC = 0; yC < outWidth; yC++, p++) {
        const rowStart = p * taps;
        for (let wR = 0; wR < filterHeight; wR++) {
          const xR = yR * sh - padTop + wR;
          if (xR < 0 || xR >= inHeight) continue;
          for (let wC = 0; wC < filterWidth; wC++) {
            const xC = yC * sw - padLeft + wC;
            if (xC < 0 || xC >= inWidth) continue;
            let src = rowStart + (wR * filterWidth + wC) * ci;
            let dst = ((b * inHeight + xR) * inWidth + xC) * ci;
            const end = dst + ci;
            while (dst < end) {
              dx[dst] = (dx[dst] ?? 0) + (dcols[src] ?? 0);
              dst++;
              src++;
            }
          }
        }
      }
    }
  }
}

registerHeapTasks(gatherTapsByRow, gatherTapsByPixel);
