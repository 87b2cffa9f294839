// Conv2DBackpropFilter by the direct SIMD kernel (simd/conv-filter-gradient.wat), the batch split between the main
// thread and the heap helper thread: each share sums into its own filter-sized buffer, then the two are added.
// Measured against the im2col + XNNPACK product it replaces (bench/ab-step.ts --no-simd, paired): see the README's
// kernel table. Run alone it sums in the product's order (bit-identical to it where XNNPACK does not split the inner
// dimension); split, the two halves' sums are added at the end, a last-bits difference the tests' tolerance covers.
import { registerHeapTasks, runOnHeap } from './heap-helper-thread.ts';
import type { ConvGeometry } from './conv-im2col.ts';
import type { SimdKernels } from './simd/simd-kernels.ts';
import type { TensorInfo, WasmBackendLike } from './wasm-backend.ts';

/**
 * One share of the batch, [begin, end): the main thread's (begin 0) into arrays[2], the helper's into arrays[3].
 * arrays: x, dy, dw, dw of the helper's share; params: the geometry as conv2d_filter_grad takes it. Self-contained
 * (its source runs in the helper thread).
 */
export function filterGradientShare(arrays: Float32Array[], params: Int32Array, begin: number, end: number, simd: SimdKernels | null): void {
  if (simd == null) throw new Error('filterGradientShare needs the SIMD kernels');
  const x = arrays[0] as Float32Array;
  const dy = arrays[1] as Float32Array;
  const out = (begin === 0 ? arrays[2] : arrays[3]) as Float32Array;
  const [inH = 0, inW = 0, ci = 0, outH = 0, outW = 0, co = 0, fh = 0, fw = 0, sh = 1, sw = 1, pt = 0, pl = 0] = params;
  simd.conv2d_filter_grad(x.byteOffset, dy.byteOffset, out.byteOffset, inH, inW, ci, outH, outW, co, fh, fw, sh, sw, pt, pl, begin, end);
}

registerHeapTasks(filterGradientShare);

/** dW of a convolution with geometry `g`, from x [batch, inH, inW, ci] and dy [batch, outH, outW, co]. */
export function filterGradientBySimd(backend: WasmBackendLike, simd: SimdKernels, x: TensorInfo, dy: TensorInfo, g: ConvGeometry, filterShape: number[]): TensorInfo {
  const dw = backend.makeOutput([...filterShape], 'float32');
  const helperShare = backend.makeOutput([...filterShape], 'float32');
  try {
    // Views after both allocations: growing the heap detaches older views.
    const xs = backend.typedArrayFromHeap(x) as Float32Array;
    const dys = backend.typedArrayFromHeap(dy) as Float32Array;
    const dws = backend.typedArrayFromHeap(dw) as Float32Array;
    const shares = backend.typedArrayFromHeap(helperShare) as Float32Array;
    dws.fill(0);
    shares.fill(0);
    const params = [g.inHeight, g.inWidth, g.inChannels, g.outHeight, g.outWidth, g.outChannels, g.filterHeight, g.filterWidth, g.strideHeight, g.strideWidth, g.padTop, g.padLeft];
    const work = g.batch * g.outHeight * g.outWidth * g.filterHeight * g.filterWidth * g.inChannels;
    runOnHeap(filterGradientShare, [xs, dys, dws, shares], params, g.batch, work, Math.ceil(g.batch / 2), simd);
    for (let i = 0; i < dws.length; i++) dws[i] = (dws[i] ?? 0) + (shares[i] ?? 0);
  } catch (error) {
    backend.disposeData(dw.dataId);
    throw error;
  } finally {
    backend.disposeData(helperShare.dataId);
  }
  return dw;
}
