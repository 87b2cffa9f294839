// Splits large 2-D products C = A·B (+bias, activation) across helper threads, each with its own wasm heap and
// XNNPACK: tfjs disables wasm threads under Node, so one training step otherwise uses one core.
//
// Operands are copied into a SharedArrayBuffer per helper (our wasm heap is not shared memory); the helper is woken
// with Atomics.notify and the main thread blocks in Atomics.wait for its part, so a product costs two copies of its
// share and a futex wake, never a message round trip. Results are bit-for-bit those of one thread: each output
// element is still one dot product over all of K, computed by the same XNNPACK kernel.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { ACTIVATIONS, CTRL, MAT_MUL_WORKER_SOURCE } from './mat-mul-worker-source.ts';
import type { KernelFn, TensorInfo, WasmBackendLike } from './wasm-backend.ts';

/** Products below this many multiply-adds stay on one thread: the copies, the wake-up and the re-packing of the
 *  helper's share of B eat the gain. From bench/mat-mul-threads.ts on 2 shared cores: 128×256×256 (8M) loses,
 *  256×256×256 (17M) is a toss-up, the seed's 51M products gain when the second core is free. */
export const DEFAULT_MIN_SPLIT_MACS = 20_000_000;
/** A row split makes every thread pack all of B: only worth it with enough rows per thread to amortise that. */
const MIN_ROWS_PER_THREAD = 64;
/** Column blocks are multiples of this, XNNPACK's widest output tile, so no thread gets a ragged tile. */
const COLUMN_ALIGN = 16;
/** How long the main thread waits for a helper before giving up on it and computing the product itself. */
const HELPER_TIMEOUT_MS = 30_000;

export interface MatMulPoolOptions {
  /** Threads in all, the main thread included (2 = one helper). */
  threads: number;
  minSplitMacs?: number;
}

export interface PoolStats {
  /** Products computed split across threads. */
  split: number;
  helperFailures: number;
}

interface Helper {
  worker: Worker;
  ctrl: Int32Array;
  alpha: Float32Array;
  data: Float32Array;
  gen: number;
  dead: boolean;
}

/** A product as the kernels hand it over: a [1,M,K], b [1,K,N], no transposes. */
export interface MatMulJob {
  backend: WasmBackendLike;
  /** The stock kernel (BatchMatMul or _FusedMatMul) that computes one part on this thread. */
  original: KernelFn;
  a: TensorInfo;
  b: TensorInfo;
  /** _FusedMatMul only: a bias of shape [N] (other bias shapes are not split). */
  bias?: TensorInfo | undefined;
  /** _FusedMatMul only: its activation; undefined for BatchMatMul. */
  activation?: string | undefined;
  leakyreluAlpha?: number | undefined;
}

function tfjsPaths(): { tfjsCore: string; tfjsBackendWasm: string } {
  const require = createRequire(import.meta.url);
  // The backend must load the same tfjs-core file as we pass, or it registers its kernels in another copy.
  const tfjsBackendWasm = require.resolve('@tensorflow/tfjs-backend-wasm');
  const tfjsCore = createRequire(tfjsBackendWasm).resolve('@tensorflow/tfjs-core');
  return { tfjsCore, tfjsBackendWasm };
}

export class MatMulPool {
  readonly threads: number;
  readonly minSplitMacs: number;
  readonly stats: PoolStats = { split: 0, helperFailures: 0 };
  private helpers: Helper[] = [];
  private disposed = false;
  private readonly seenRight = new WeakSet<object>();

  constructor(options: MatMulPoolOptions) {
    this.threads = Math.max(1, Math.floor(options.threads));
    this.minSplitMacs = options.minSplitMacs ?? DEFAULT_MIN_SPLIT_MACS;
    if (this.threads < 2) return;
    const paths = tfjsPaths();
    for (let i = 1; i < this.threads; i++) this.helpers.push(this.startHelper(paths));
  }

  private startHelper(paths: { tfjsCore: string; tfjsBackendWasm: string }): Helper {
    const ctrlBuffer = new SharedArrayBuffer(CTRL.SIZE * 4);
    const data = new Float32Array(new SharedArrayBuffer(1 << 20));
    const worker = new Worker(MAT_MUL_WORKER_SOURCE, {
      eval: true,
      workerData: { ctrl: ctrlBuffer, data: data.buffer, ctrlSlots: CTRL, activations: ACTIVATIONS, ...paths },
      // Keep tfjs's own console advice out of the user's output.
      stdout: true,
      stderr: true,
    });
    // Never keeps the process alive; Node terminates it at exit, even parked in Atomics.wait.
    worker.unref();
    const helper: Helper = { worker, ctrl: new Int32Array(ctrlBuffer), alpha: new Float32Array(ctrlBuffer, CTRL.ALPHA_BITS * 4, 1), data, gen: 0, dead: false };
    worker.on('error', () => (helper.dead = true));
    worker.on('exit', () => (helper.dead = true));
    return helper;
  }

  /** True when at least one helper is up (they start in the background; until then everything runs here). */
  get ready(): boolean {
    return this.helpers.some((h) => !h.dead && Atomics.load(h.ctrl, CTRL.READY) === 1);
  }

  /** Resolves once every helper is up (or failed): tests and benchmarks use it to skip the start-up window. */
  async whenReady(timeoutMs = 30_000): Promise<boolean> {
    const until = performance.now() + timeoutMs;
    for (const h of this.helpers) {
      while (!h.dead && Atomics.load(h.ctrl, CTRL.READY) !== 1 && performance.now() < until) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    }
    return this.ready;
  }

  /**
   * C = A·B split across the helpers that are up, or null when it is not worth splitting (small product, no helper
   * ready, unsupported bias shape): the caller then runs its stock kernel.
   */
  tryMatMul(job: MatMulJob): TensorInfo | null {
    const { a, b, bias } = job;
    if (this.disposed || a.shape.length !== 3 || b.shape.length !== 3 || a.shape[0] !== 1 || b.shape[0] !== 1) return null;
    const m = a.shape[1] ?? 0;
    const k = a.shape[2] ?? 0;
    const n = b.shape[2] ?? 0;
    if ((b.shape[1] ?? 0) !== k || m * k * n < this.minSplitMacs) return null;
    if (bias != null && (bias.shape.length !== 1 || bias.shape[0] !== n)) return null;
    const activation = job.activation == null ? 0 : ACTIVATIONS.indexOf(job.activation as (typeof ACTIVATIONS)[number]);
    if (activation < 0) return null; // prelu: its weights would need splitting too
    const live = this.helpers.filter((h) => !h.dead && Atomics.load(h.ctrl, CTRL.READY) === 1);
    if (live.length === 0) return null;
    // Split the output's columns when there are enough of them (each thread then packs only its share of B),
    // otherwise its rows (each thread packs all of B). A right operand seen before (inference: the same weights
    // batch after batch) has its packed XNNPACK operator cached here, keyed by the tensor: split by rows then, so
    // this thread keeps using the cache instead of re-packing a column copy on every call.
    const parts = live.length + 1;
    const repeated = this.seenRight.has(b.dataId);
    this.seenRight.add(b.dataId);
    const byColumns = n >= COLUMN_ALIGN * parts && !repeated;
    if (!byColumns && m < parts * MIN_ROWS_PER_THREAD) return null;
    const out = byColumns ? this.splitColumns(job, live, activation, m, k, n) : this.splitRows(job, live, activation, m, k, n);
    if (out != null) this.stats.split++;
    return out;
  }

  private ensureCapacity(h: Helper, floats: number): void {
    if (h.data.length >= floats) return;
    let size = h.data.length;
    while (size < floats) size *= 2;
    h.data = new Float32Array(new SharedArrayBuffer(size * 4));
    h.gen++;
    h.worker.postMessage({ buffer: h.data.buffer, gen: h.gen });
  }

  private post(h: Helper, activation: number, m: number, k: number, n: number, hasBias: boolean, alpha: number): void {
    const c = h.ctrl;
    c[CTRL.CMD] = 0;
    c[CTRL.M] = m;
    c[CTRL.K] = k;
    c[CTRL.N] = n;
    c[CTRL.HAS_BIAS] = hasBias ? 1 : 0;
    c[CTRL.ACTIVATION] = activation;
    c[CTRL.BUFFER_GEN] = h.gen;
    h.alpha[0] = alpha;
    Atomics.add(c, CTRL.SEQ, 1);
    Atomics.notify(c, CTRL.SEQ);
  }

  /** Waits for the helper's part; false when it failed or timed out (it is then retired). */
  private await(h: Helper): boolean {
    const seq = Atomics.load(h.ctrl, CTRL.SEQ);
    const until = performance.now() + HELPER_TIMEOUT_MS;
    for (;;) {
      const done = Atomics.load(h.ctrl, CTRL.DONE);
      if (done === seq) break;
      const left = until - performance.now();
      if (left <= 0 || h.dead) {
        this.retire(h);
        return false;
      }
      Atomics.wait(h.ctrl, CTRL.DONE, done, Math.min(left, 1000));
    }
    if (Atomics.load(h.ctrl, CTRL.ERROR) !== 0) {
      this.retire(h);
      return false;
    }
    return true;
  }

  private retire(h: Helper): void {
    this.stats.helperFailures++;
    h.dead = true;
    void h.worker.terminate();
  }

  private splitColumns(job: MatMulJob, live: Helper[], activation: number, m: number, k: number, n: number): TensorInfo | null {
    const { backend, a, b, bias } = job;
    const parts = live.length + 1;
    const width = Math.ceil(n / parts / COLUMN_ALIGN) * COLUMN_ALIGN;
    // The main thread takes the first block (whatever is left), each helper one `width` block after it.
    const widths = live.map(() => width);
    const mainWidth = n - width * live.length;
    if (mainWidth <= 0) return null;
    const hasBias = bias != null;
    const alpha = job.leakyreluAlpha ?? 0.2;

    // Hand each helper A, its columns of B and of the bias.
    const mainB = backend.makeOutput([1, k, mainWidth], 'float32');
    const mainBias = hasBias ? backend.makeOutput([mainWidth], 'float32') : null;
    let col = mainWidth;
    const starts: number[] = [];
    for (const [i, h] of live.entries()) {
      const w = widths[i] ?? 0;
      this.ensureCapacity(h, m * k + k * w + (hasBias ? w : 0) + m * w);
      const av = backend.typedArrayFromHeap(a) as Float32Array;
      const bv = backend.typedArrayFromHeap(b) as Float32Array;
      h.data.set(av.subarray(0, m * k));
      for (let r = 0; r < k; r++) h.data.set(bv.subarray(r * n + col, r * n + col + w), m * k + r * w);
      if (bias != null) h.data.set((backend.typedArrayFromHeap(bias) as Float32Array).subarray(col, col + w), m * k + k * w);
      this.post(h, activation, m, k, w, hasBias, alpha);
      starts.push(col);
      col += w;
    }
    // Our own block, while the helpers work.
    const bv = backend.typedArrayFromHeap(b) as Float32Array;
    const mbv = backend.typedArrayFromHeap(mainB) as Float32Array;
    for (let r = 0; r < k; r++) mbv.set(bv.subarray(r * n, r * n + mainWidth), r * mainWidth);
    if (bias != null && mainBias != null) (backend.typedArrayFromHeap(mainBias) as Float32Array).set((backend.typedArrayFromHeap(bias) as Float32Array).subarray(0, mainWidth));
    let mainOut: TensorInfo | null = null;
    try {
      const inputs: Record<string, TensorInfo> = { a, b: mainB };
      if (mainBias != null) inputs['bias'] = mainBias;
      mainOut = job.original({ inputs, backend, attrs: this.attrsFor(job) }) as TensorInfo;
      const ok = live.map((h) => this.await(h));
      if (ok.some((x) => !x)) return null;
      const out = backend.makeOutput([1, m, n], 'float32');
      const ov = backend.typedArrayFromHeap(out) as Float32Array;
      const mv = backend.typedArrayFromHeap(mainOut) as Float32Array;
      for (let r = 0; r < m; r++) ov.set(mv.subarray(r * mainWidth, (r + 1) * mainWidth), r * n);
      for (const [i, h] of live.entries()) {
        const w = widths[i] ?? 0;
        const base = m * k + k * w + (hasBias ? w : 0);
        const start = starts[i] ?? 0;
        for (let r = 0; r < m; r++) ov.set(h.data.subarray(base + r * w, base + (r + 1) * w), r * n + start);
      }
      return out;
    } finally {
      // A failed helper's part is simply recomputed whole by the caller; its job is done or abandoned here.
      backend.disposeData(mainB.dataId);
      if (mainBias != null) backend.disposeData(mainBias.dataId);
      if (mainOut != null) backend.disposeData(mainOut.dataId);
    }
  }

  private splitRows(job: MatMulJob, live: Helper[], activation: number, m: number, k: number, n: number): TensorInfo | null {
    const { backend, a, b, bias } = job;
    const parts = live.length + 1;
    const rows = Math.ceil(m / parts);
    const mainRows = m - rows * live.length;
    if (mainRows <= 0) return null;
    const hasBias = bias != null;
    const alpha = job.leakyreluAlpha ?? 0.2;
    const heights: number[] = [];
    let row = mainRows;
    for (const h of live) {
      const rh = Math.min(rows, m - row);
      this.ensureCapacity(h, rh * k + k * n + (hasBias ? n : 0) + rh * n);
      const av = backend.typedArrayFromHeap(a) as Float32Array;
      h.data.set(av.subarray(row * k, (row + rh) * k));
      h.data.set((backend.typedArrayFromHeap(b) as Float32Array).subarray(0, k * n), rh * k);
      if (bias != null) h.data.set((backend.typedArrayFromHeap(bias) as Float32Array).subarray(0, n), rh * k + k * n);
      this.post(h, activation, rh, k, n, hasBias, alpha);
      heights.push(rh);
      row += rh;
    }
    // Our rows are a prefix of A: a view of the same data with fewer rows, no copy.
    const aTop: TensorInfo = { dataId: a.dataId, shape: [1, mainRows, k], dtype: a.dtype };
    let mainOut: TensorInfo | null = null;
    try {
      const inputs: Record<string, TensorInfo> = { a: aTop, b };
      if (bias != null) inputs['bias'] = bias;
      mainOut = job.original({ inputs, backend, attrs: this.attrsFor(job) }) as TensorInfo;
      const ok = live.map((h) => this.await(h));
      if (ok.some((x) => !x)) return null;
      const out = backend.makeOutput([1, m, n], 'float32');
      const ov = backend.typedArrayFromHeap(out) as Float32Array;
      ov.set((backend.typedArrayFromHeap(mainOut) as Float32Array).subarray(0, mainRows * n));
      let at = mainRows * n;
      for (const [i, h] of live.entries()) {
        const rh = heights[i] ?? 0;
        const base = rh * k + k * n + (hasBias ? n : 0);
        ov.set(h.data.subarray(base, base + rh * n), at);
        at += rh * n;
      }
      return out;
    } finally {
      if (mainOut != null) backend.disposeData(mainOut.dataId);
    }
  }

  private attrsFor(job: MatMulJob): Record<string, unknown> {
    if (job.activation == null) return { transposeA: false, transposeB: false };
    return { transposeA: false, transposeB: false, activation: job.activation, leakyreluAlpha: job.leakyreluAlpha };
  }

  /** Stops the helpers (idempotent). Products after this run on the main thread. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const h of this.helpers) {
      h.ctrl[CTRL.CMD] = 1;
      Atomics.add(h.ctrl, CTRL.SEQ, 1);
      Atomics.notify(h.ctrl, CTRL.SEQ);
      void h.worker.terminate();
    }
    this.helpers = [];
  }
}
