// A second JS thread for the fast kernels' plain-JS passes over the wasm heap (im2col's gather, MaxPoolGrad).
//
// Why: under the threaded wasm build XNNPACK runs its products on every core, but our JS passes run on the main
// thread alone while the other cores wait — on the CNN presets they are a fifth to a quarter of a training step. The
// threaded build's heap is one shared WebAssembly.Memory, so a worker thread can work on the same tensors in place:
// the main thread hands it the second half of a pass, does the first half, and waits for it (Atomics, no messages, no
// copies). Results are bit-identical: each half writes its own elements with the same code.
//
// One home for each kernel: the worker runs the very functions the main thread runs — their source is sent when the
// worker starts (a task must therefore be self-contained: no imports, no closures, no nested functions). The worker
// is an `eval` worker, so nothing has to be bundled or found on disk in a packaged app.
//
// With the single-threaded build (heap not shared), before the worker is ready, or for passes too small to repay the
// hand-off (~20 µs), the main thread does the whole pass itself: same code, same result.
import { Worker } from 'node:worker_threads';
import { sharedHeapModules, type SimdKernels } from './simd/simd-kernels.ts';

/**
 * A pass over part of its work: `arrays` are views of the heap (or plain arrays on the main thread), `params` the
 * task's integers, [begin, end) the share of its work units this call does, `simd` the SIMD kernels instantiated on
 * the heap in the thread running the share (null where the caller gave none: a task that needs them must be given
 * them; their arguments are byte offsets, the views' byteOffset).
 */
export type HeapTask = (arrays: Float32Array[], params: Int32Array, begin: number, end: number, simd: SimdKernels | null) => void;

// Control block (Int32 slots). JOB: the main thread's job counter (the worker waits on it); DONE: the last job the
// worker finished; FAILED: the last job that threw; then the task, the worker's share, the arrays and the params.
const JOB = 0;
const DONE = 1;
const FAILED = 2;
const READY = 3;
const TASK = 4;
const BEGIN = 5;
const END = 6;
const ARRAY_COUNT = 7;
const ARRAYS = 8; // MAX_ARRAYS pairs of (offset in floats, length)
const MAX_ARRAYS = 6;
const PARAMS = ARRAYS + 2 * MAX_ARRAYS;
const MAX_PARAMS = 32;
const SLOTS = PARAMS + MAX_PARAMS;

/** How long the main thread waits for the worker's share before it reports the worker as stuck. */
const WORKER_TIMEOUT_MS = 10_000; // a share takes milliseconds; the worker's own error events cannot reach a blocked main thread
/** Passes over fewer heap elements than this run on the main thread alone (the hand-off costs ~20 µs). */
const DEFAULT_MIN_ELEMENTS = 1 << 16;
/**
 * A SIMD share does several times a JS share's elements in the same time, so it repays the hand-off (and the wait for
 * a helper thread the OS may not schedule at once) only at this many times the size.
 */
const SIMD_MIN_WORK_FACTOR = 4;
let minElements = DEFAULT_MIN_ELEMENTS;

/** For tests: split passes of any size (0), or back to the default with no argument. */
export function setHeapHelperMinimumWork(elements: number = DEFAULT_MIN_ELEMENTS): void {
  minElements = elements;
}

// The worker's whole program. Tasks arrive as source text; `__name` is the helper esbuild-based loaders (tsx, the
// Electron bundle) may insert when they keep function names.
const WORKER_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
const { memory, control, sources, slots, simdModules } = workerData;
const __name = (f) => f;
const tasks = sources.map((source) => (0, eval)('(' + source + ')'));
// The SIMD kernels on the same memory. READY says whether they are here (2) or not (1): the main thread never hands a
// SIMD share to a worker without them, it does the whole pass itself — and is told why (the message below).
let simd = null;
let simdProblem = 'the heap is not a WebAssembly.Memory';
if (memory instanceof WebAssembly.Memory) {
  try {
    const exports = {};
    for (const bytes of simdModules) Object.assign(exports, new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } }).exports);
    simd = exports;
    simdProblem = null;
  } catch (e) {
    simdProblem = e instanceof Error ? e.message : String(e);
  }
}
if (simdProblem !== null) parentPort.postMessage({ simdProblem });
const c = new Int32Array(control);
Atomics.store(c, slots.READY, simd === null ? 1 : 2);
Atomics.notify(c, slots.READY);
let seen = Atomics.load(c, slots.JOB);
for (;;) {
  Atomics.wait(c, slots.JOB, seen);
  seen = Atomics.load(c, slots.JOB);
  if (seen < 0) break;
  try {
    const heap = new Float32Array(memory.buffer);
    const arrays = [];
    for (let i = 0; i < c[slots.ARRAY_COUNT]; i++) {
      const offset = c[slots.ARRAYS + 2 * i];
      arrays.push(heap.subarray(offset, offset + c[slots.ARRAYS + 2 * i + 1]));
    }
    tasks[c[slots.TASK]](arrays, c.subarray(slots.PARAMS), c[slots.BEGIN], c[slots.END], simd);
  } catch (e) {
    Atomics.store(c, slots.FAILED, seen);
  }
  Atomics.store(c, slots.DONE, seen);
  Atomics.notify(c, slots.DONE);
}
`;

/** The threaded build's WebAssembly.Memory (this project's TypeScript libs carry no WebAssembly types). */
interface WasmMemory {
  readonly buffer: ArrayBufferLike;
}

interface Helper {
  memory: WasmMemory;
  control: Int32Array;
  worker: Worker;
  tasks: HeapTask[];
  job: number;
  error: Error | null;
  /** Why the worker could not instantiate the SIMD kernels, once it has said so (null: it has them, or not yet said). */
  simdProblem: string | null;
}

let helper: Helper | null = null;

/** Every heap task the kernel modules declared (registerHeapTasks, at their load): what a new helper thread gets. */
const registeredTasks = new Set<HeapTask>();

/** Declares a kernel module's heap tasks, so that the helper thread started later can run them. */
export function registerHeapTasks(...tasks: HeapTask[]): void {
  for (const task of tasks) registeredTasks.add(task);
}

function sharedMemoryOf(backend: unknown): WasmMemory | null {
  const memory = (backend as { wasm?: { wasmMemory?: WasmMemory } }).wasm?.wasmMemory;
  return memory != null && typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer ? memory : null;
}

/**
 * Starts the helper thread for a backend whose heap is shared (the threaded build), once per process; returns false
 * when the heap is not shared. The worker starts in the background; passes run on the main thread until it is ready.
 */
export function startHeapHelper(backend: unknown, tasks: HeapTask[] = [...registeredTasks]): boolean {
  const memory = sharedMemoryOf(backend);
  if (memory == null) return false;
  if (helper != null && helper.memory === memory) return true;
  stopHeapHelper();
  const control = new Int32Array(new SharedArrayBuffer(SLOTS * 4));
  const slots = { JOB, DONE, FAILED, READY, TASK, BEGIN, END, ARRAY_COUNT, ARRAYS, PARAMS };
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { memory, control: control.buffer, sources: tasks.map((t) => t.toString()), slots, simdModules: sharedHeapModules() } });
  const started: Helper = { memory, control, worker, tasks, job: 0, error: null, simdProblem: null };
  // Neither is fatal (the main thread then does those passes alone), but each costs speed: said on stderr, the
  // trainer's log, not hidden.
  worker.on('error', (e) => {
    started.error = e instanceof Error ? e : new Error(String(e));
    console.warn(`heap helper thread stopped (${started.error.message}); its share of every pass now runs on the main thread`);
  });
  worker.on('message', (m: { simdProblem?: string }) => {
    if (m.simdProblem == null) return;
    started.simdProblem = m.simdProblem;
    console.warn(`heap helper thread: no SIMD kernels (${m.simdProblem}); their passes run on the main thread alone`);
  });
  // Never keeps the process alive. After the listeners: a 'message' listener added later would ref the worker's port
  // again, and a trainer (or bench child) that finished would never exit.
  worker.unref();
  helper = started;
  return true;
}

/** Stops the helper thread (tests, or a backend change). */
export function stopHeapHelper(): void {
  if (helper == null) return;
  Atomics.store(helper.control, JOB, -1);
  Atomics.notify(helper.control, JOB);
  void helper.worker.terminate();
  helper = null;
}

/** True when the helper thread is running and has compiled its tasks. */
export function heapHelperReady(): boolean {
  return helper != null && helper.error == null && Atomics.load(helper.control, READY) >= 1;
}

/** Why the running helper thread has no SIMD kernels, or null (it has them, none runs, or it has not said yet). */
export function heapHelperSimdProblem(): string | null {
  return helper?.simdProblem ?? null;
}

/** True when the running helper thread was given `task` (a kernel module that forgot to register one runs it alone). */
export function heapHelperHasTask(task: HeapTask): boolean {
  return helper != null && helper.tasks.includes(task);
}

/** Where a view starts in the shared heap, in floats, or null when it is not a view of that heap. */
function heapOffset(h: Helper, a: Float32Array): number | null {
  return a.buffer === h.memory.buffer ? a.byteOffset / 4 : null;
}

/**
 * Runs `task` over `units` work units: the main thread does [0, split) and the helper thread [split, units) at the same
 * time when it can (see the top of this file), else the main thread does all. `elements` is the pass's size, for the
 * minimum-work rule; `split` defaults to half.
 */
export function runOnHeap(task: HeapTask, arrays: Float32Array[], params: readonly number[], units: number, elements: number, split = Math.ceil(units / 2), simd: SimdKernels | null = null): void {
  const h = helper;
  const index = h == null ? -1 : h.tasks.indexOf(task);
  const offsets = h == null ? [] : arrays.map((a) => heapOffset(h, a));
  const ints = Int32Array.from(params);
  const helperCanRun = h != null && heapHelperReady() && (simd == null || Atomics.load(h.control, READY) === 2);
  if (h == null || index < 0 || elements < minElements * (simd == null ? 1 : SIMD_MIN_WORK_FACTOR) || units < 2 || split >= units || split <= 0 || !helperCanRun || offsets.some((o) => o == null)) {
    task(arrays, ints, 0, units, simd);
    return;
  }
  if (arrays.length > MAX_ARRAYS || params.length > MAX_PARAMS) throw new Error(`heap helper: at most ${MAX_ARRAYS} arrays and ${MAX_PARAMS} params`);
  const c = h.control;
  c[TASK] = index;
  c[BEGIN] = split;
  c[END] = units;
  c[ARRAY_COUNT] = arrays.length;
  arrays.forEach((a, i) => {
    c[ARRAYS + 2 * i] = offsets[i] ?? 0;
    c[ARRAYS + 2 * i + 1] = a.length;
  });
  ints.forEach((p, i) => (c[PARAMS + i] = p));
  const job = ++h.job;
  Atomics.store(c, JOB, job); // publishes the slots written above
  Atomics.notify(c, JOB);
  task(arrays, ints, 0, split, simd);
  const deadline = Date.now() + WORKER_TIMEOUT_MS;
  while (Atomics.load(c, DONE) !== job) {
    if (h.error != null) throw new Error(`the heap helper thread failed: ${h.error.message}`);
    if (Date.now() > deadline) {
      stopHeapHelper(); // later passes run on the main thread; this one is lost, so the step fails loudly
      throw new Error(`the heap helper thread did not finish its share of ${task.name} within ${WORKER_TIMEOUT_MS / 1000} s`);
    }
    Atomics.wait(c, DONE, Atomics.load(c, DONE), 100);
  }
  if (Atomics.load(c, FAILED) === job) {
    stopHeapHelper();
    throw new Error(`the heap helper thread's share of ${task.name} threw`);
  }
}
