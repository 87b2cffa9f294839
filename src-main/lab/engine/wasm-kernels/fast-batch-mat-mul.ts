// BatchMatMul / _FusedMatMul for the wasm backend that always land on XNNPACK's fully-connected path.
//
// Stock tfjs-backend-wasm 4.22 uses XNNPACK only when neither operand is transposed AND both batch sizes are 1;
// everything else (the whole backward pass of a Dense layer: xᵀ·dy and dy·Wᵀ, and every batched matmul) runs in a
// scalar triple loop that is 10–20× slower. Its broadcasting of batch dims also reads past the smaller operand.
// Here: transposed operands are transposed explicitly (a cheap, memory-bound wasm Transpose), batched products are
// split into per-batch 2-D products, and batch dims broadcast correctly.
import { reshapedInfo, sizeOf } from './wasm-backend.ts';
import type { KernelArgs, KernelFn, TensorInfo, WasmBackendLike } from './wasm-backend.ts';

/** Below this many multiply-adds per batch item, a batched product with equal batch sizes stays on the stock kernel
 *  (its per-call overhead is lower than splitting into many tiny XNNPACK calls). */
const SMALL_BATCH_ITEM_MACS = 16 * 16 * 16;

interface Operand {
  /** [batch, rows, cols] as the product needs it (already transposed). */
  info: TensorInfo;
  /** True when `info` is a temporary we allocated and must dispose. */
  owned: boolean;
}

function broadcastShape(a: readonly number[], b: readonly number[]): number[] | null {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) return null;
    out.push(Math.max(da, db));
  }
  return out;
}

/** For each flat index of the broadcast outer shape, the flat index into an operand's outer dims. */
function batchIndexMap(outer: readonly number[], outOuter: readonly number[]): Int32Array {
  const total = sizeOf(outOuter);
  const map = new Int32Array(total);
  const rank = outOuter.length;
  const padded = new Array<number>(rank - outer.length).fill(1).concat(outer);
  const strides = new Array<number>(rank).fill(0);
  let s = 1;
  for (let i = rank - 1; i >= 0; i--) {
    strides[i] = (padded[i] ?? 1) === 1 ? 0 : s;
    s *= padded[i] ?? 1;
  }
  for (let flat = 0; flat < total; flat++) {
    let rem = flat;
    let idx = 0;
    for (let i = rank - 1; i >= 0; i--) {
      const d = outOuter[i] ?? 1;
      const coord = rem % d;
      rem = (rem - coord) / d;
      idx += coord * (strides[i] ?? 0);
    }
    map[flat] = idx;
  }
  return map;
}

function prepareOperand(
  x: TensorInfo,
  transposed: boolean,
  batch: number,
  backend: WasmBackendLike,
  transpose: KernelFn,
): Operand {
  const r = x.shape.length;
  const rows = x.shape[r - 2] ?? 1;
  const cols = x.shape[r - 1] ?? 1;
  const as3d = reshapedInfo(x, [batch, rows, cols]);
  if (!transposed) return { info: as3d, owned: false };
  const t = transpose({ inputs: { x: as3d }, backend, attrs: { perm: [0, 2, 1] } }) as TensorInfo;
  return { info: t, owned: true };
}

function copyBatchItem(backend: WasmBackendLike, src: TensorInfo, index: number, rows: number, cols: number): TensorInfo {
  const tmp = backend.makeOutput([1, rows, cols], 'float32');
  const n = rows * cols;
  // Views are taken after the allocation: growing the wasm heap detaches older views.
  const from = backend.typedArrayFromHeap(src);
  const to = backend.typedArrayFromHeap(tmp);
  to.set(from.subarray(index * n, index * n + n));
  return tmp;
}

/**
 * XNNPACK's fully-connected operator packs its right operand ("weights", K×N) when it is created; tfjs caches the
 * operator per right-operand tensor. In training every weight is a new tensor each step, so the pack is paid every
 * call. C = A·B can also be computed as Cᵀ = Bᵀ·Aᵀ, which packs A (K×M) instead: we pick the route with the lower
 * estimated cost, counting a pack as PACK_COST transposes per element. Measured (bench/ab-matmul.ts, paired, threaded
 * build, batch 128): 2, not the 10 this once assumed — at 10 the forward h·W of a 512×512 layer took the swapped
 * route, 1.4–1.75× slower than direct, and the 784×512 forward 1.09× slower; the backward choices are the same.
 */
const DEFAULT_PACK_COST = 2;
let PACK_COST = DEFAULT_PACK_COST;

/** For a paired A/B of cost models (bench/ab-step.ts --pack-cost): sets the pack cost; no argument restores it. */
export function setMatMulPackCost(cost: number = DEFAULT_PACK_COST): void {
  if (!(cost > 0)) throw new Error(`setMatMulPackCost: cost must be a positive number, got ${cost}`);
  PACK_COST = cost;
}

/** Right operands seen before: their XNNPACK operator is (or will be) cached, so packing them again is free. */
const seenRightOperands = new WeakSet<object>();

/** Which way 2-D products go: by the cost model ('auto'), or forced one way for a paired A/B (bench/ab-matmul.ts). */
export type MatMulRoute = 'auto' | 'direct' | 'swapped';
let routeOverride: MatMulRoute = 'auto';

/** Forces every 2-D product one way ('direct' or 'swapped'), or back to the cost model ('auto'). For benchmarks. */
export function setMatMulRoute(route: MatMulRoute): void {
  routeOverride = route;
}

/**
 * A weight gradient dW = hᵀ·dz of a layer at most this wide goes the swapped way whatever the cost model says:
 * measured paired (bench/ab-matmul.ts --layers, batch 128, threaded build, one run, load ~5–7), direct ÷ swapped was
 * 1.83 for 800→64 (the Small CNN's dense layer), 3.27 for 1600→10 (Keras' CNN head), 3.04 for 512→10 (the seed's
 * output layer), but 0.68–0.71 for 784→512 and 512→512. The transpose-and-pack model misses how poorly XNNPACK tiles
 * a narrow right operand (8-wide column tiles, each over all M rows).
 */
const NARROW_WEIGHT_GRADIENT = 64;

function chooseSwapped(m: number, k: number, n: number, transposeA: boolean, transposeB: boolean, b: TensorInfo): boolean {
  if (routeOverride !== 'auto') return routeOverride === 'swapped';
  if (transposeA && !transposeB && n <= NARROW_WEIGHT_GRADIENT) return true;
  const bCached = !transposeB && seenRightOperands.has(b.dataId);
  if (!transposeB) seenRightOperands.add(b.dataId);
  const direct = (transposeA ? m * k : 0) + (transposeB ? k * n : 0) + (bCached ? 0 : PACK_COST * k * n);
  const swapped = (transposeB ? 0 : k * n) + (transposeA ? 0 : m * k) + PACK_COST * k * m + m * n;
  return swapped < direct * 0.8;
}

/** What both matmul kernels read from their args: the operands, the backend and the transpose flags. */
function matMulArgs(args: KernelArgs) {
  const { inputs, attrs } = args;
  return {
    inputs,
    attrs,
    backend: args.backend as WasmBackendLike,
    a: inputs['a'],
    b: inputs['b'],
    transposeA: attrs?.['transposeA'] === true,
    transposeB: attrs?.['transposeB'] === true,
  };
}

export function makeFastBatchMatMul(original: KernelFn, transpose: KernelFn): KernelFn {
  return (args: KernelArgs) => {
    const { backend, a, b, transposeA, transposeB } = matMulArgs(args);
    if (a == null || b == null || a.dtype !== 'float32' || b.dtype !== 'float32' || a.shape.length < 2 || b.shape.length < 2) {
      return original(args);
    }
    const aRank = a.shape.length;
    const bRank = b.shape.length;
    const m = (transposeA ? a.shape[aRank - 1] : a.shape[aRank - 2]) ?? 0;
    const kA = (transposeA ? a.shape[aRank - 2] : a.shape[aRank - 1]) ?? 0;
    const kB = (transposeB ? b.shape[bRank - 1] : b.shape[bRank - 2]) ?? 0;
    const n = (transposeB ? b.shape[bRank - 2] : b.shape[bRank - 1]) ?? 0;
    const outerA = a.shape.slice(0, -2);
    const outerB = b.shape.slice(0, -2);
    const outOuter = broadcastShape(outerA, outerB);
    if (kA !== kB || outOuter == null || m * n * kA === 0) {
      return original(args); // let the stock kernel throw its usual error, or handle empty tensors
    }
    const batchA = sizeOf(outerA);
    const batchB = sizeOf(outerB);
    const batchOut = sizeOf(outOuter);
    const outShape = [...outOuter, m, n];

    if (batchOut > 1 && batchA === batchB && m * n * kA < SMALL_BATCH_ITEM_MACS) {
      return original(args); // many tiny products: the stock loop is correct here and cheaper per call
    }

    const swap = batchOut === 1 && chooseSwapped(m, kA, n, transposeA, transposeB, b);
    const opA = swap ? { info: a, owned: false } : prepareOperand(a, transposeA, batchA, backend, transpose);
    const opB = swap ? { info: b, owned: false } : prepareOperand(b, transposeB, batchB, backend, transpose);
    const noTranspose = { transposeA: false, transposeB: false };
    // Every 2-D product below is the stock XNNPACK path (threaded when the backend runs the threaded build).
    const product = (pa: TensorInfo, pb: TensorInfo): TensorInfo => original({ inputs: { a: pa, b: pb }, backend, attrs: noTranspose }) as TensorInfo;
    try {
      if (batchOut === 1) {
        if (swap) {
          // Cᵀ = Bᵀ·Aᵀ: Bᵀ is B read with the opposite transpose flag, Aᵀ likewise; then transpose back.
          const bT = prepareOperand(b, !transposeB, 1, backend, transpose);
          const aT = prepareOperand(a, !transposeA, 1, backend, transpose);
          try {
            const outT = product(bT.info, aT.info);
            const out = transpose({ inputs: { x: outT }, backend, attrs: { perm: [0, 2, 1] } }) as TensorInfo;
            backend.disposeData(outT.dataId);
            out.shape = outShape;
            return out;
          } finally {
            if (bT.owned) backend.disposeData(bT.info.dataId);
            if (aT.owned) backend.disposeData(aT.info.dataId);
          }
        }
        const out = product(opA.info, opB.info);
        out.shape = outShape;
        return out;
      }
      const mapA = batchIndexMap(outerA, outOuter);
      const mapB = batchIndexMap(outerB, outOuter);
      const out = backend.makeOutput([batchOut, m, n], 'float32');
      const itemsA = new Map<number, TensorInfo>();
      const itemsB = new Map<number, TensorInfo>();
      const item = (cache: Map<number, TensorInfo>, op: Operand, batch: number, index: number, rows: number, cols: number) => {
        if (batch === 1) return op.info;
        let t = cache.get(index);
        if (t == null) {
          t = copyBatchItem(backend, op.info, index, rows, cols);
          cache.set(index, t);
        }
        return t;
      };
      try {
        for (let i = 0; i < batchOut; i++) {
          const ai = item(itemsA, opA, batchA, mapA[i] ?? 0, m, kA);
          const bi = item(itemsB, opB, batchB, mapB[i] ?? 0, kA, n);
          const r = product(ai, bi);
          const rv = backend.typedArrayFromHeap(r);
          backend.typedArrayFromHeap(out).set(rv, i * m * n);
          backend.disposeData(r.dataId);
          // An operand with as many items as the output uses each item once: free it now, not at the end.
          for (const [cache, batch, index] of [[itemsA, batchA, mapA[i] ?? 0], [itemsB, batchB, mapB[i] ?? 0]] as const) {
            const t = batch === batchOut ? cache.get(index) : undefined;
            if (t != null) {
              backend.disposeData(t.dataId);
              cache.delete(index);
            }
          }
        }
      } finally {
        for (const t of itemsA.values()) backend.disposeData(t.dataId);
        for (const t of itemsB.values()) backend.disposeData(t.dataId);
      }
      out.shape = outShape;
      return out;
    } finally {
      if (opA.owned) backend.disposeData(opA.info.dataId);
      if (opB.owned) backend.disposeData(opB.info.dataId);
    }
  };
}

/** _FusedMatMul (matmul + bias + activation, used by Dense layers): route transposed 2-D cases into XNNPACK. */
export function makeFastFusedMatMul(original: KernelFn, transpose: KernelFn): KernelFn {
  return (args: KernelArgs) => {
    const { inputs, attrs, backend, a, b, transposeA, transposeB } = matMulArgs(args);
    if (a == null || b == null || a.dtype !== 'float32' || b.dtype !== 'float32') return original(args);
    // The fused op hands us rank-3 operands; only the batch-1 case has an XNNPACK path to reach.
    if (a.shape.length !== 3 || b.shape.length !== 3 || a.shape[0] !== 1 || b.shape[0] !== 1) return original(args);
    if (!transposeA && !transposeB) return original(args);
    const opA = prepareOperand(a, transposeA, 1, backend, transpose);
    const opB = prepareOperand(b, transposeB, 1, backend, transpose);
    try {
      return original({
        inputs: { ...inputs, a: opA.info, b: opB.info },
        backend,
        attrs: { ...attrs, transposeA: false, transposeB: false },
      });
    } finally {
      if (opA.owned) backend.disposeData(opA.info.dataId);
      if (opB.owned) backend.disposeData(opB.info.dataId);
    }
  };
}
