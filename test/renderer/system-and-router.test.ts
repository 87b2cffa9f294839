import { describe, expect, it } from 'vitest';
import { parseHash, Router } from '../../src-renderer/state/router.svelte.ts';
import { judgeBackend, SystemState } from '../../src-renderer/state/system-state.svelte.ts';
import { FakeLab, SYSTEM_INFO } from './fake-lab.ts';

describe('backend verdict', () => {
  it('explains why the better backends were not used', () => {
    const v = judgeBackend(SYSTEM_INFO.backend);
    expect(v.chosen).toBe('wasm');
    expect(v.isBest).toBe(false);
    expect(v.reasons).toEqual([
      { backend: 'tensorflow-gpu', reason: 'package @tensorflow/tfjs-node-gpu is not installed' },
      { backend: 'webgpu', reason: expect.stringMatching(/^only a software adapter was found .*LAYERLAB_WEBGPU_ALLOW_SOFTWARE=1$/) },
      { backend: 'tensorflow', reason: 'package @tensorflow/tfjs-node is not installed' },
    ]);
  });

  it('gives the timing as the reason when Automatic timed webgpu against a CPU tier and kept the CPU', () => {
    const probes = SYSTEM_INFO.backend.probes.map((p) => (p.backend === 'webgpu' ? { ...p, available: true, reason: null } : p));
    const reason = 'timed this model: webgpu 20.0 ms/step, wasm 5.0 ms/step; kept wasm';
    const v = judgeBackend({ ...SYSTEM_INFO.backend, probes, timing: { secondsPerStep: { webgpu: 0.02, wasm: 0.005 }, kept: 'wasm', reason } });
    expect(v.reasons.find((r) => r.backend === 'webgpu')).toEqual({ backend: 'webgpu', reason });
  });

  it('is quiet when the best backend runs', () => {
    const v = judgeBackend({ ...SYSTEM_INFO.backend, chosen: 'tensorflow-gpu' });
    expect(v.isBest).toBe(true);
    expect(v.reasons).toEqual([]);
  });

  it('loads system info through the api', async () => {
    const lab = new FakeLab();
    const s = new SystemState(lab.api);
    await s.load();
    expect(s.verdict?.chosen).toBe('wasm');
  });
});

describe('router', () => {
  it('parses hashes and falls back to the first view', () => {
    expect(parseHash('#/evaluate/12', 'design')).toEqual({ view: 'evaluate', param: '12' });
    expect(parseHash('', 'design')).toEqual({ view: 'design', param: null });
    const location = { hash: '#/nowhere' };
    const r = new Router(['design', 'train'], 'design', location);
    expect(r.view).toBe('design');
    r.go('train');
    expect(location.hash).toBe('#/train');
    expect(r.view).toBe('train');
  });
});
