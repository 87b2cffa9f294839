// Which WebGPU adapters are CPU rasterisers. Dawn does not always say so itself (Mesa's llvmpipe behind OpenGL ES
// reports isFallbackAdapter: false), so the adapter's names are checked too. A software adapter computes correctly
// but slower than the wasm backend, so Layerlab uses one only when asked to (tests, CI).
import { WEBGPU_ALLOW_SOFTWARE_VARIABLE, type GpuAdapterReport } from '../../../../src-shared/index.ts';

const SOFTWARE_NAMES = /llvmpipe|lavapipe|softpipe|swiftshader|swrast|microsoft basic render|\bwarp\b/i;

export function isSoftwareAdapter(names: Pick<GpuAdapterReport, 'vendor' | 'architecture' | 'device' | 'description'>, isFallbackAdapter: boolean): boolean {
  return isFallbackAdapter || SOFTWARE_NAMES.test([names.vendor, names.architecture, names.device, names.description].join(' '));
}

export function softwareAllowed(env: NodeJS.ProcessEnv = process.env): boolean {
  return env[WEBGPU_ALLOW_SOFTWARE_VARIABLE] === '1';
}

/** The adapter in one line: "NVIDIA H200 (nvidia, hopper; NVIDIA: 550.54.15)". */
export function describeAdapter(adapter: GpuAdapterReport): string {
  const name = adapter.device || adapter.description || 'unnamed adapter';
  const details = [adapter.vendor, adapter.architecture, adapter.description !== name ? adapter.description : ''].filter(Boolean).join(', ');
  return `${name}${details ? ` (${details})` : ''}${adapter.software ? ' [software]' : ''}`;
}
