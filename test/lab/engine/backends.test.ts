import { describe, expect, it } from 'vitest';
import { BackendError, describeBackendReport, loadBackend, probeBackends, type BackendEnvironment } from '../../../src-main/lab/engine/backends.ts';

function env(overrides: Partial<BackendEnvironment> & { installed?: string[]; missingCuda?: string[] } = {}): BackendEnvironment {
  const installed = new Set(overrides.installed ?? []);
  return {
    isInstalled: (pkg) => installed.has(pkg),
    importPackage: overrides.importPackage ?? (async (pkg) => { throw new Error(`cannot load ${pkg}`); }),
    missingCudaLibraries: () => overrides.missingCuda ?? [],
  };
}

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
    expect(describeBackendReport(report)).toMatch(/^wasm \(skipped tensorflow-gpu: .*; tensorflow: .*\)$/);
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
    expect(probes.map((p) => [p.backend, p.available])).toEqual([['tensorflow-gpu', false], ['tensorflow', true], ['wasm', true], ['cpu', true]]);
  });
});
