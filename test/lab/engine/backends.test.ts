import { describe, expect, it } from 'vitest';
import type { GpuAdapterReport } from '../../../src-shared/index.ts';
import { BackendError, describeBackendReport, loadBackend, probeBackends, type BackendEnvironment } from '../../../src-main/lab/engine/backends.ts';
import type { AdapterSearch } from '../../../src-main/lab/engine/webgpu/dawn-adapter.ts';

const NO_ADAPTER: AdapterSearch = { found: null, reason: 'no WebGPU adapter found (test)' };

function env(overrides: Partial<BackendEnvironment> & { installed?: string[]; missingCuda?: string[] } = {}): BackendEnvironment {
  const installed = new Set(overrides.installed ?? []);
  return {
    isInstalled: (pkg) => installed.has(pkg),
    importPackage: overrides.importPackage ?? (async (pkg) => { throw new Error(`cannot load ${pkg}`); }),
    missingCudaLibraries: () => overrides.missingCuda ?? [],
    findGpuAdapter: overrides.findGpuAdapter ?? (async () => NO_ADAPTER),
    allowSoftwareWebGpu: overrides.allowSoftwareWebGpu ?? (() => false),
  };
}

const SOFTWARE_ADAPTER: GpuAdapterReport = {
  vendor: '',
  architecture: '',
  device: 'llvmpipe-llvm-15',
  description: 'OpenGL ES 3.2 Mesa 22.3.6',
  api: 'opengles',
  featureLevel: 'compatibility',
  software: true,
  limits: { maxStorageBufferBindingSize: 2 ** 27, maxBufferSize: 2 ** 31, maxComputeWorkgroupStorageSize: 32768, maxComputeInvocationsPerWorkgroup: 1024 },
};
const WEBGPU_PACKAGES = ['webgpu', '@tensorflow/tfjs-backend-webgpu'];

describe('backend selection', () => {
  it('auto skips absent native packages with a reason and picks wasm', async () => {
    const { report, tf } = await loadBackend('auto', env());
    expect(report.chosen).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    const gpu = report.probes.find((p) => p.backend === 'tensorflow-gpu')!;
    expect(gpu.available).toBe(false);
    expect(gpu.reason).toMatch(/@tensorflow\/tfjs-node-gpu is not installed/);
    expect(report.probes.find((p) => p.backend === 'tensorflow')!.reason).toMatch(/@tensorflow\/tfjs-node is not installed/);
    expect(report.versions['tfjs-core']).toBe('4.22.0');
    expect(report.probes.find((p) => p.backend === 'webgpu')!.reason).toMatch(/webgpu and @tensorflow\/tfjs-backend-webgpu not installed/);
    expect(describeBackendReport(report)).toMatch(/^wasm \(skipped tensorflow-gpu: .*; webgpu: .*; tensorflow: .*\)$/);
  });

  it('names missing CUDA libraries when tfjs-node-gpu is installed', async () => {
    const { report } = await loadBackend('auto', env({ installed: ['@tensorflow/tfjs-node-gpu'], missingCuda: ['libcudnn.so.8'] }));
    expect(report.probes[0]).toEqual({ backend: 'tensorflow-gpu', available: false, reason: 'CUDA 11.2 + cuDNN 8.1 libraries not found: libcudnn.so.8' });
  });

  it('records a load failure of an installed native package', async () => {
    const { report } = await loadBackend('auto', env({ installed: ['@tensorflow/tfjs-node'], importPackage: async () => { throw new Error('libtensorflow.so.2: cannot open shared object file\nmore'); } }));
    expect(report.chosen).toBe('wasm');
    expect(report.probes.find((p) => p.backend === 'tensorflow')!.reason).toBe('failed to load: libtensorflow.so.2: cannot open shared object file');
  });

  it('never falls back when a backend is requested explicitly', async () => {
    await expect(loadBackend('tensorflow-gpu', env())).rejects.toThrow(BackendError);
    await expect(loadBackend('tensorflow', env())).rejects.toThrow(/the tensorflow backend cannot be used: @tensorflow\/tfjs-node is not installed/);
  });

  it('loads cpu on request', async () => {
    const { report, tf } = await loadBackend('cpu', env());
    expect(report.chosen).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
  });

  it('probes without loading', () => {
    const probes = probeBackends(env({ installed: ['@tensorflow/tfjs-node'] }));
    expect(probes.map((p) => [p.backend, p.available])).toEqual([['tensorflow-gpu', false], ['webgpu', false], ['tensorflow', true], ['wasm', true], ['cpu', true]]);
  });
});

describe('the webgpu tier', () => {
  it('checks the tiers below the chosen one instead of assuming them (Automatic times the next one)', async () => {
    const fakeTf = { setBackend: async () => true, version: { 'tfjs-core': '4.22.0' } };
    const { report } = await loadBackend('auto', env({ installed: ['@tensorflow/tfjs-node-gpu'], importPackage: async () => fakeTf }));
    expect(report.chosen).toBe('tensorflow-gpu');
    expect(report.probes.map((p) => [p.backend, p.available])).toEqual([['tensorflow-gpu', true], ['webgpu', false], ['tensorflow', false], ['wasm', true], ['cpu', true]]);
  });

  it('is tried after tensorflow-gpu and before tensorflow; a missing adapter is a reason, not an error, on auto', async () => {
    const asked: boolean[] = [];
    const { report } = await loadBackend('auto', env({ installed: WEBGPU_PACKAGES, findGpuAdapter: async (allow) => (asked.push(allow), NO_ADAPTER) }));
    expect(report.chosen).toBe('wasm');
    expect(report.probes.map((p) => p.backend)).toEqual(['tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu']);
    expect(report.probes.find((p) => p.backend === 'webgpu')).toEqual({ backend: 'webgpu', available: false, reason: 'no WebGPU adapter found (test)' });
    expect(asked).toEqual([false]);
  });

  it('"Automatic" never asks for a software adapter, even when LAYERLAB_WEBGPU_ALLOW_SOFTWARE is set, and says why', async () => {
    const asked: boolean[] = [];
    const search = async (allow: boolean): Promise<AdapterSearch> => {
      asked.push(allow);
      return { found: null, adapter: SOFTWARE_ADAPTER, reason: 'only a software adapter was found (llvmpipe); …' };
    };
    const { report } = await loadBackend('auto', env({ installed: WEBGPU_PACKAGES, findGpuAdapter: search, allowSoftwareWebGpu: () => true }));
    expect(asked).toEqual([false]);
    expect(report.chosen).toBe('wasm');
    expect(report.adapter).toEqual(SOFTWARE_ADAPTER);
    expect(report.probes.find((p) => p.backend === 'webgpu')!.reason).toMatch(/only a software adapter/);
  });

  it('passes the permission on to an explicit webgpu request only', async () => {
    const asked: boolean[] = [];
    const e = env({ installed: WEBGPU_PACKAGES, findGpuAdapter: async (allow) => (asked.push(allow), NO_ADAPTER), allowSoftwareWebGpu: () => true });
    await expect(loadBackend('webgpu', e)).rejects.toThrow(/the webgpu backend cannot be used: no WebGPU adapter found/);
    expect(asked).toEqual([true]);
  });
});
