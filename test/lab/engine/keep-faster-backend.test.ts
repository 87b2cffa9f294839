import { describe, expect, it } from 'vitest';
import type { BackendName, BackendReport } from '../../../src-shared/index.ts';
import type { LoadedBackend } from '../../../src-main/lab/engine/backends.ts';
import { keepFasterBackend, runnerUp } from '../../../src-main/lab/engine/keep-faster-backend.ts';
import type { Tf } from '../../../src-main/lab/model/tf-types.ts';

function loaded(chosen: BackendName, requested: BackendReport['requested'] = 'auto', available: BackendName[] = ['webgpu', 'wasm', 'cpu']): LoadedBackend & { active: BackendName[] } {
  const active: BackendName[] = [];
  const tf = { setBackend: async (name: BackendName) => (active.push(name), true) } as unknown as Tf;
  const probes = (['tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu'] as const).map((backend) => ({ backend, available: available.includes(backend), reason: available.includes(backend) ? null : 'absent' }));
  return { tf, active, report: { chosen, requested, probes, versions: {}, detail: `${chosen} detail` } };
}

function seams(seconds: Partial<Record<BackendName, number>>) {
  const calls: string[] = [];
  return {
    calls,
    seams: {
      load: async (b: BackendName) => (calls.push(`load ${b}`), loaded(b, b)),
      secondsPerStep: async (_tf: Tf, b: BackendName) => (calls.push(`time ${b}`), seconds[b] ?? NaN),
      release: (_tf: Tf, b: BackendName) => void calls.push(`release ${b}`),
    },
  };
}

describe('"Automatic" between webgpu and the next tier', () => {
  it('keeps webgpu when it is faster for this model, and records the timing', async () => {
    const gpu = loaded('webgpu');
    const s = seams({ webgpu: 0.004, wasm: 0.0093 });
    const kept = await keepFasterBackend(gpu, s.seams);
    expect(kept.report.chosen).toBe('webgpu');
    expect(kept.report.timing).toEqual({ secondsPerStep: { webgpu: 0.004, wasm: 0.0093 }, kept: 'webgpu', reason: 'timed this model: webgpu 4.0 ms/step, wasm 9.3 ms/step; kept webgpu' });
    expect(s.calls).toEqual(['time webgpu', 'load wasm', 'time wasm']);
    expect(gpu.active).toEqual(['webgpu']); // made active again after wasm was timed
  });

  it('keeps the CPU tier when the GPU is slower (a small MLP on a weak GPU) and frees the GPU', async () => {
    const s = seams({ webgpu: 0.02, wasm: 0.005 });
    const kept = await keepFasterBackend(loaded('webgpu'), s.seams);
    expect(kept.report.chosen).toBe('wasm');
    expect(kept.report.requested).toBe('auto');
    expect(kept.report.timing!.reason).toBe('timed this model: webgpu 20.0 ms/step, wasm 5.0 ms/step; kept wasm');
    expect(kept.report.probes.find((p) => p.backend === 'webgpu')!.available).toBe(true);
    expect(s.calls).toContain('release webgpu');
  });

  it('times nothing on an explicit request, on another tier, or without a second candidate', async () => {
    const s = seams({});
    for (const l of [loaded('webgpu', 'webgpu'), loaded('wasm'), loaded('webgpu', 'auto', ['webgpu', 'cpu'])]) {
      expect(await keepFasterBackend(l, s.seams)).toBe(l);
    }
    expect(s.calls).toEqual([]);
  });

  it('compares against tfjs-node before wasm when it is there', () => {
    expect(runnerUp(loaded('webgpu', 'auto', ['webgpu', 'tensorflow', 'wasm', 'cpu']))).toBe('tensorflow');
    expect(runnerUp(loaded('webgpu', 'auto', ['webgpu', 'cpu']))).toBeNull();
  });
});
