// Finds a WebGPU adapter through Dawn (the `webgpu` npm package, an optional dependency that ships dawn.node for
// each desktop platform). The platform's own API comes first (Vulkan, Metal or D3D12) at the core feature level;
// then OpenGL ES at the compatibility level, which is how Dawn reaches Mesa's software rasteriser on a machine
// without a GPU (Dawn rejects the Vulkan software driver). Every miss is a reason, never a silent null.
import { createRequire } from 'node:module';
import type { GpuAdapterReport } from '../../../../src-shared/index.ts';
import { WEBGPU_ALLOW_SOFTWARE_VARIABLE } from '../../../../src-shared/index.ts';
import { describeAdapter, isSoftwareAdapter } from './software-adapter.ts';

export const WEBGPU_PACKAGE = 'webgpu';

// The parts of the WebGPU API Layerlab touches, typed here so the type check does not depend on an optional package.
export interface DawnAdapterLimits {
  maxStorageBufferBindingSize: number;
  maxBufferSize: number;
  maxComputeWorkgroupStorageSize: number;
  maxComputeInvocationsPerWorkgroup: number;
  maxComputeWorkgroupSizeX: number;
  maxComputeWorkgroupsPerDimension: number;
}
export interface DawnDevice {
  readonly lost: Promise<{ reason: string; message: string }>;
  readonly features: ReadonlySet<string>;
  destroy(): void;
}
export interface DawnAdapter {
  readonly info: { vendor?: string; architecture?: string; device?: string; description?: string; isFallbackAdapter?: boolean };
  readonly isFallbackAdapter?: boolean;
  readonly limits: DawnAdapterLimits;
  readonly features: ReadonlySet<string>;
  requestDevice(descriptor: { requiredFeatures?: string[]; requiredLimits?: Partial<DawnAdapterLimits> }): Promise<DawnDevice>;
}
/** dawn.node's `create()` result: navigator.gpu. */
export interface DawnGpu {
  requestAdapter(options?: { powerPreference?: 'high-performance' | 'low-power'; featureLevel?: 'core' | 'compatibility' }): Promise<DawnAdapter | null>;
}

export interface FoundAdapter {
  gpu: DawnGpu;
  adapter: DawnAdapter;
  report: GpuAdapterReport;
}

export type AdapterSearch =
  | { found: FoundAdapter; reason: null }
  /** `adapter`: the software adapter that was found but not allowed, so the doctor can still show it. */
  | { found: null; reason: string; adapter?: GpuAdapterReport };

interface DawnModule {
  create(options: string[]): DawnGpu;
  globals: Record<string, unknown>;
}

const require = createRequire(import.meta.url);

export function webGpuPackageInstalled(): boolean {
  try {
    require.resolve(`${WEBGPU_PACKAGE}/package.json`);
    return true;
  } catch {
    return false;
  }
}

let dawn: DawnModule | null = null;

async function loadDawn(): Promise<DawnModule> {
  if (!dawn) {
    dawn = (await import(WEBGPU_PACKAGE)) as DawnModule;
    // The WebGPU constants (GPUBufferUsage, GPUMapMode…) tfjs-backend-webgpu reads as globals.
    Object.assign(globalThis, dawn.globals);
  }
  return dawn;
}

function reportOf(adapter: DawnAdapter, api: GpuAdapterReport['api'], featureLevel: GpuAdapterReport['featureLevel']): GpuAdapterReport {
  const info = adapter.info;
  const names = { vendor: info.vendor ?? '', architecture: info.architecture ?? '', device: info.device ?? '', description: info.description ?? '' };
  const fallback = info.isFallbackAdapter === true || adapter.isFallbackAdapter === true;
  const l = adapter.limits;
  return {
    ...names,
    api,
    featureLevel,
    software: isSoftwareAdapter(names, fallback),
    limits: {
      maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
      maxBufferSize: l.maxBufferSize,
      maxComputeWorkgroupStorageSize: l.maxComputeWorkgroupStorageSize,
      maxComputeInvocationsPerWorkgroup: l.maxComputeInvocationsPerWorkgroup,
    },
  };
}

async function request(mod: DawnModule, api: GpuAdapterReport['api']): Promise<FoundAdapter | null> {
  const gpu = mod.create(api === 'opengles' ? ['backend=opengles'] : []);
  const featureLevel = api === 'opengles' ? 'compatibility' : 'core';
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance', featureLevel });
  return adapter ? { gpu, adapter, report: reportOf(adapter, api, featureLevel) } : null;
}

/**
 * The best adapter here: a hardware one if any; a software one only with `allowSoftware`. Headless Linux needs
 * EGL_PLATFORM=surfaceless for OpenGL ES; it is set (when unset) before Dawn's first EGL call.
 */
export async function findAdapter(allowSoftware: boolean): Promise<AdapterSearch> {
  if (!webGpuPackageInstalled()) return { found: null, reason: `the ${WEBGPU_PACKAGE} package (Dawn) is not installed (an optional dependency)` };
  let mod: DawnModule;
  try {
    mod = await loadDawn();
  } catch (error) {
    return { found: null, reason: `dawn.node failed to load: ${(error instanceof Error ? error.message : String(error)).split('\n')[0]}` };
  }
  let software: FoundAdapter | null = null;
  for (const api of ['native', 'opengles'] as const) {
    if (api === 'opengles' && process.platform === 'linux') process.env.EGL_PLATFORM ??= 'surfaceless';
    let candidate: FoundAdapter | null = null;
    try {
      candidate = await request(mod, api);
    } catch {
      candidate = null; // a missing API (no Vulkan loader, no EGL) is "no adapter" here; the next API may have one
    }
    if (candidate && !candidate.report.software) return { found: candidate, reason: null };
    software ??= candidate;
  }
  if (software && allowSoftware) return { found: software, reason: null };
  if (software) {
    return {
      found: null,
      adapter: software.report,
      reason: `only a software adapter was found (${describeAdapter(software.report)}); it is slower than wasm, so it is used only with --backend webgpu and ${WEBGPU_ALLOW_SOFTWARE_VARIABLE}=1`,
    };
  }
  return { found: null, reason: `no WebGPU adapter found (no Vulkan, Metal or D3D12 GPU; on Linux the Vulkan loader libvulkan.so.1 and the GPU's driver are needed)` };
}
