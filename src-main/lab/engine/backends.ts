// Picks the fastest backend this machine can run: tfjs-node-gpu > webgpu (a hardware adapter) > tfjs-node > wasm > cpu.
// Every skipped backend gets a reason that the run records and the app shows; a requested
// backend that cannot load is an error, never a silent fallback.
import { createRequire } from 'node:module';
import { BACKEND_NAMES, type BackendChoice, type BackendName, type BackendProbe, type BackendReport, type GpuAdapterReport } from '../../../src-shared/index.ts';
import type { Tf } from '../model/tf-types.ts';
import { missingCudaLibraries } from './cuda-probe.ts';
import { threadedWasmState, useThreadedWasm } from './wasm-threads/threaded-wasm-backend.ts';
import { findAdapter, WEBGPU_PACKAGE, type AdapterSearch } from './webgpu/dawn-adapter.ts';
import { describeAdapter, softwareAllowed } from './webgpu/software-adapter.ts';
import { activateWebGpu, WEBGPU_BACKEND_PACKAGE } from './webgpu/webgpu-backend.ts';

export const BACKEND_ORDER: readonly BackendName[] = BACKEND_NAMES;

const NATIVE_PACKAGES: Partial<Record<BackendName, string>> = {
  'tensorflow-gpu': '@tensorflow/tfjs-node-gpu',
  tensorflow: '@tensorflow/tfjs-node',
};

export class BackendError extends Error {
  override name = 'BackendError';
}

export interface LoadedBackend {
  tf: Tf;
  report: BackendReport;
}

export interface LoadOptions {
  /**
   * Threads for the wasm backend (its threaded build; 1 = the stock single-threaded build). Only the first load in a
   * process decides: a backend, once started, keeps its threads. Training asks for all cores; the serving process
   * (single-image predictions, next to a trainer) for one.
   */
  wasmThreads?: number;
}

/** Test seam: how a package is found and loaded. */
export interface BackendEnvironment {
  isInstalled(pkg: string): boolean;
  importPackage(pkg: string): Promise<unknown>;
  missingCudaLibraries(): string[];
  /** A WebGPU adapter through Dawn; a software one only when `allowSoftware`. */
  findGpuAdapter(allowSoftware: boolean): Promise<AdapterSearch>;
  /** Whether LAYERLAB_WEBGPU_ALLOW_SOFTWARE=1 lets an explicit `--backend webgpu` use a software adapter. */
  allowSoftwareWebGpu(): boolean;
}

const require = createRequire(import.meta.url);

export const realEnvironment: BackendEnvironment = {
  isInstalled(pkg) {
    try {
      require.resolve(`${pkg}/package.json`);
      return true;
    } catch {
      return false;
    }
  },
  importPackage: (pkg) => import(pkg),
  missingCudaLibraries: () => missingCudaLibraries(),
  findGpuAdapter: (allowSoftware) => findAdapter(allowSoftware),
  allowSoftwareWebGpu: () => softwareAllowed(),
};

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0]?.slice(0, 300) ?? text;
}

/** Why `backend` cannot be used here, or null when it can (without loading anything heavy). */
export function precheck(backend: BackendName, env: BackendEnvironment): string | null {
  if (backend === 'webgpu') {
    const absent = [WEBGPU_PACKAGE, WEBGPU_BACKEND_PACKAGE].filter((p) => !env.isInstalled(p));
    return absent.length > 0 ? `${absent.join(' and ')} not installed (optional dependencies)` : null;
  }
  const pkg = NATIVE_PACKAGES[backend];
  if (!pkg) return null;
  if (!env.isInstalled(pkg)) {
    return `${pkg} is not installed (an optional dependency: its install downloads libtensorflow, which failed or was skipped)`;
  }
  if (backend === 'tensorflow-gpu') {
    const missing = env.missingCudaLibraries();
    if (missing.length > 0) return `CUDA 11.2 + cuDNN 8.1 libraries not found: ${missing.join(', ')}`;
  }
  return null;
}

/** The adapter webgpu found (in use or not), kept for the report. */
type AdapterNote = { adapter?: GpuAdapterReport };

async function activate(backend: BackendName, env: BackendEnvironment, options: LoadOptions, requested: BackendChoice, note: AdapterNote): Promise<Tf> {
  if (backend === 'webgpu') {
    // "Automatic" never trains on a software adapter: it is slower than wasm. An explicit request may, when allowed.
    const search = await env.findGpuAdapter(requested === 'webgpu' && env.allowSoftwareWebGpu());
    if (search.found === null) {
      if (search.adapter) note.adapter = search.adapter;
      throw new BackendError(search.reason);
    }
    note.adapter = search.found.report;
    const tf = (await import('@tensorflow/tfjs')) as unknown as Tf;
    await activateWebGpu(tf, search.found);
    return tf;
  }
  const pkg = NATIVE_PACKAGES[backend];
  if (pkg) {
    // The native packages re-export tfjs and register the 'tensorflow' backend on import.
    const mod = (await env.importPackage(pkg)) as Tf & { default?: Tf };
    const tf = (mod.default && typeof mod.default.setBackend === 'function' ? mod.default : mod) as Tf;
    if (!(await tf.setBackend('tensorflow'))) throw new BackendError(`${pkg} loaded but its backend did not initialise`);
    return tf;
  }
  const tf = (await import('@tensorflow/tfjs')) as unknown as Tf;
  if (backend === 'wasm') {
    await import('@tensorflow/tfjs-backend-wasm');
    if (tf.findBackend('wasm') == null) useThreadedWasm(tf, options.wasmThreads ?? 1);
  }
  if (!(await tf.setBackend(backend))) throw new BackendError(`the ${backend} backend did not initialise`);
  await tf.ready();
  return tf;
}

function versionsOf(tf: Tf, backend: BackendName): Record<string, string> {
  const versions: Record<string, string> = { node: process.versions.node };
  for (const [k, v] of Object.entries(tf.version)) if (typeof v === 'string') versions[k] = v;
  const pkg = NATIVE_PACKAGES[backend];
  if (pkg) {
    try {
      versions[pkg] = (require(`${pkg}/package.json`) as { version: string }).version;
    } catch {
      /* the version is informative only */
    }
  }
  if (backend === 'webgpu') {
    for (const p of [WEBGPU_PACKAGE, WEBGPU_BACKEND_PACKAGE]) versions[p] = (require(`${p}/package.json`) as { version: string }).version;
  }
  if (backend === 'wasm') versions['tfjs-backend-wasm'] = (require('@tensorflow/tfjs-backend-wasm/package.json') as { version: string }).version;
  return versions;
}

/** Loads the requested backend, or with 'auto' the best one that works, recording why others were skipped. */
export async function loadBackend(requested: BackendChoice, env: BackendEnvironment = realEnvironment, options: LoadOptions = {}): Promise<LoadedBackend> {
  const candidates = requested === 'auto' ? BACKEND_ORDER : [requested];
  const probes: BackendProbe[] = [];
  if (requested !== 'auto') {
    // Still say what the better backends would have needed, without loading them.
    for (const better of BACKEND_ORDER.slice(0, BACKEND_ORDER.indexOf(requested))) {
      const reason = precheck(better, env);
      probes.push({ backend: better, available: reason === null, reason: reason ?? `not requested (--backend ${requested})` });
    }
  }
  const note: AdapterNote = {};
  for (const backend of candidates) {
    let reason = precheck(backend, env);
    if (reason === null) {
      try {
        const tf = await activate(backend, env, options, requested, note);
        // Not loaded, only checked: enough to know whether "Automatic" has a second candidate to time.
        for (const later of BACKEND_ORDER.slice(BACKEND_ORDER.indexOf(backend) + 1)) {
          const laterReason = precheck(later, env);
          probes.push({ backend: later, available: laterReason === null, reason: laterReason });
        }
        probes.push({ backend, available: true, reason: null });
        probes.sort((a, b) => BACKEND_ORDER.indexOf(a.backend) - BACKEND_ORDER.indexOf(b.backend));
        const detail = backend === 'wasm' ? wasmDetail(tf) : backend === 'webgpu' && note.adapter ? describeAdapter(note.adapter) : undefined;
        return { tf, report: { chosen: backend, requested, probes, versions: versionsOf(tf, backend), ...(detail ? { detail } : {}), ...note } };
      } catch (error) {
        reason = error instanceof BackendError ? error.message : `failed to load: ${firstLine(error)}`;
      }
    }
    probes.push({ backend, available: false, reason });
    if (requested !== 'auto') throw new BackendError(`the ${backend} backend cannot be used: ${reason}`);
  }
  throw new BackendError(`no backend could be loaded: ${probes.map((p) => `${p.backend}: ${p.reason}`).join('; ')}`);
}

function wasmDetail(tf: Tf): string {
  const { threads, reason } = threadedWasmState();
  if (reason != null) return reason;
  if (threads > 1) return `threaded SIMD build, ${threads} threads`;
  // The stock loader picks the SIMD build where the engine has SIMD (a flag it has evaluated by now).
  return `${tf.env().getBool('WASM_HAS_SIMD_SUPPORT') ? 'SIMD' : 'plain'} build, 1 thread`;
}

/** A report of every backend without loading tfjs (for the backend doctor and system info). */
export function probeBackends(env: BackendEnvironment = realEnvironment): BackendProbe[] {
  return BACKEND_ORDER.map((backend) => {
    const reason = precheck(backend, env);
    return { backend, available: reason === null, reason };
  });
}

/** One line: "wasm (tensorflow-gpu: …; tensorflow: …)". */
export function describeBackendReport(report: BackendReport): string {
  const skipped = report.probes.filter((p) => BACKEND_ORDER.indexOf(p.backend) < BACKEND_ORDER.indexOf(report.chosen) && !p.available);
  return skipped.length === 0 ? report.chosen : `${report.chosen} (skipped ${skipped.map((p) => `${p.backend}: ${p.reason}`).join('; ')})`;
}
