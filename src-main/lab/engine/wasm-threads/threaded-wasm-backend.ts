// tfjs-backend-wasm's multi-threaded build under Node.
//
// The package ships three builds (plain, SIMD, threaded SIMD) but picks the threaded one only in browsers: its loader
// hands Emscripten a Blob URL for the pthread worker, which Node's worker_threads cannot run (tfjs issue #3830). The
// build itself works under Node: here it is loaded with a real file for the worker (wasm-pthread-worker.cjs) and the
// 'wasm' backend is re-registered to use it. XNNPACK then splits every large op across a pthreadpool over one shared
// heap: no copies, unlike a pool of separate wasm instances.
//
// One more obstacle: the build caps its pool at `emscripten_num_logical_cores() / 2` (it assumes two hyper-threads per
// core), read once at start-up from os.cpus() under Node, so a 2-core machine gets one thread. os.cpus() reports the
// wanted count (×2) while the module starts, and is restored right after.
import { createRequire } from 'node:module';
import os, { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Tf } from '../../model/tf-types.ts';

/** The build pre-starts this many pthread workers and never uses more for its pool. */
export const MAX_WASM_THREADS = 8;
/** How long the threaded build may take to start (compile the module, start its workers) before we give up on it. */
const START_TIMEOUT_MS = 30_000;

/** Threads for training: every core, or `LAYERLAB_WASM_THREADS` (1 = the stock single-threaded build). */
export function defaultWasmThreads(): number {
  const env = Number(process.env['LAYERLAB_WASM_THREADS']);
  if (Number.isInteger(env) && env >= 1) return Math.min(env, MAX_WASM_THREADS);
  return Math.max(1, Math.min(availableParallelism(), MAX_WASM_THREADS));
}

interface EmscriptenWorker {
  unref(): void;
  terminate(): unknown;
}

interface ThreadedModule {
  cwrap(name: string, ret: string | null, args: string[]): (...args: number[]) => number;
  PThread: { unusedWorkers: EmscriptenWorker[]; runningWorkers: EmscriptenWorker[] };
  tfjs?: Record<string, unknown>;
}

type ThreadedFactory = (config: Record<string, unknown>) => Promise<ThreadedModule>;

interface WasmPackage {
  BackendWasm: new (module: unknown) => unknown;
  setThreadsCount(n: number): void;
  getThreadsCount(): number;
}

export interface ThreadedWasmState {
  /** Threads XNNPACK runs on (1 when the threaded build is not in use). */
  threads: number;
  /** Why the threaded build is not in use, when `threads` is 1 though more were asked for. */
  reason: string | null;
}

const require = createRequire(import.meta.url);
const WASM_OUT = '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js';
/** Next to this module in the source tree, and next to the bundle in dist-electron (copied by build-electron.js).
 *  In a packaged app the file is unpacked from the asar archive: workers need a real file. */
const WORKER_FILE = unpacked(fileURLToPath(new URL('./wasm-pthread-worker.cjs', import.meta.url)));
/** Same priority as the stock registration, so the backend order does not change. */
const WASM_PRIORITY = 2;

let state: ThreadedWasmState = { threads: 1, reason: null };
let module: ThreadedModule | null = null;
/** tfjs's own 'wasm' factory, kept from the first call: a second call must not wrap ours as if it were the stock one. */
let stockFactory: ReturnType<Tf['findBackendFactory']> | null = null;

/** What the last initialised 'wasm' backend runs on. */
export function threadedWasmState(): ThreadedWasmState {
  return state;
}

export interface ThreadedWasmOptions {
  /** Test seam: the module id of the threaded build's JS. */
  moduleId?: string;
}

async function loadThreadedModule(threads: number, moduleId: string): Promise<ThreadedModule> {
  const factory = require(moduleId) as ThreadedFactory;
  const realCpus = os.cpus;
  // Read once by the module's start-up code (see the header) through require('os'), the same object as `os` here;
  // restored as soon as it has run.
  os.cpus = () => {
    const cpus = realCpus();
    return Array.from({ length: threads * 2 }, (_, i) => cpus[i % Math.max(1, cpus.length)]!);
  };
  try {
    // Workers read these files from disk: in a packaged app, from outside the asar archive.
    const mainScript = unpacked(require.resolve(moduleId));
    const wasmDir = mainScript.replace(/[^\\/]+$/, '');
    const started = factory({
      locateFile: (path: string) => (path.endsWith('.worker.js') ? WORKER_FILE : wasmDir + path),
      mainScriptUrlOrBlob: mainScript,
    });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`did not start within ${START_TIMEOUT_MS / 1000} s`)), START_TIMEOUT_MS);
      timer.unref();
    });
    try {
      return await Promise.race([started, timeout]);
    } finally {
      clearTimeout(timer);
    }
  } finally {
    os.cpus = realCpus;
  }
}

function unpacked(path: string): string {
  return path.replace(/app\.asar([\\/])/, 'app.asar.unpacked$1');
}

/**
 * Makes the 'wasm' backend use the threaded build with `threads` threads (call before `tf.setBackend('wasm')`, after
 * importing '@tensorflow/tfjs-backend-wasm'). With threads ≤ 1 the stock registration is left alone. If the threaded
 * build fails to start, the backend starts single-threaded and `threadedWasmState().reason` says why.
 */
export function useThreadedWasm(tf: Tf, threads: number, options: ThreadedWasmOptions = {}): void {
  const wanted = Math.max(1, Math.min(Math.floor(threads), MAX_WASM_THREADS));
  if (wanted <= 1) {
    state = { threads: 1, reason: null };
    return;
  }
  const wasm = require('@tensorflow/tfjs-backend-wasm') as WasmPackage;
  stockFactory ??= tf.findBackendFactory('wasm');
  const stock = stockFactory;
  if (stock == null) throw new Error('the wasm backend is not registered (import @tensorflow/tfjs-backend-wasm first)');
  tf.removeBackend('wasm');
  tf.registerBackend(
    'wasm',
    async () => {
      try {
        module ??= await loadThreadedModule(wanted, options.moduleId ?? WASM_OUT);
        const m = module;
        // The same C entry points tfjs's own loader wraps.
        m.tfjs = {
          init: m.cwrap('init', null, []),
          initWithThreadsCount: m.cwrap('init_with_threads_count', null, ['number']),
          getThreadsCount: m.cwrap('get_threads_count', 'number', []),
          registerTensor: m.cwrap('register_tensor', null, ['number', 'number', 'number']),
          disposeData: m.cwrap('dispose_data', null, ['number']),
          dispose: m.cwrap('dispose', null, []),
        };
        wasm.setThreadsCount(wanted);
        const backend = new wasm.BackendWasm(m);
        // Parked pthreads must not keep the process alive once its work is done; the pre-started workers the pool
        // did not take (8 − threads + 1) would only hold memory.
        for (const w of m.PThread.runningWorkers) w.unref();
        for (const w of m.PThread.unusedWorkers.splice(0)) void w.terminate();
        state = { threads: wasm.getThreadsCount(), reason: null };
        return backend as never;
      } catch (error) {
        const why = error instanceof Error ? error.message : String(error);
        state = { threads: 1, reason: `threaded wasm build failed to start (${why.split('\n')[0]}); running on one thread` };
        wasm.setThreadsCount(1);
        return (await stock()) as never;
      }
    },
    WASM_PRIORITY,
  );
}
