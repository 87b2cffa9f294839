import { describe, expect, it } from 'vitest';
import { formatTable, steadyEpochSeconds, targetVerdicts, type CheckResult } from '../../../bench/gpu-check/results.ts';
import { findWorkload, WORKLOADS } from '../../../bench/gpu-check/workloads.ts';
import { analyzeArchitecture } from '../../../src-shared/index.ts';

const row = (workload: string, engine: string, secondsPer60k: number | null, error: string | null = null): CheckResult => ({
  workload,
  engine,
  examples: 60_000,
  epochs: 2,
  secondsPerEpoch: secondsPer60k,
  firstEpochSeconds: secondsPer60k == null ? null : secondsPer60k * 3,
  secondsPer60k,
  valAcc: secondsPer60k == null ? null : 0.97,
  device: 'NVIDIA H200 (nvidia, hopper)',
  error,
});

describe('the GPU check', () => {
  it('times the steady epochs, not the first (shader compilation)', () => {
    expect(steadyEpochSeconds([5, 1.2, 1.1])).toEqual({ steady: 1.1, first: 5 });
    expect(steadyEpochSeconds([2])).toEqual({ steady: 2, first: 2 });
    expect(steadyEpochSeconds([])).toEqual({ steady: null, first: null });
  });

  it('checks the issue targets against PyTorch CUDA', () => {
    const verdicts = targetVerdicts([
      row('seed-mlp', 'layerlab-webgpu', 0.4),
      row('seed-mlp', 'pytorch-cuda', 0.2),
      row('keras-cnn', 'layerlab-webgpu', 4),
      row('keras-cnn', 'pytorch-cuda', 1),
      row('small-cnn', 'layerlab-webgpu', null, 'no WebGPU adapter found'),
    ]);
    expect(verdicts).toEqual([
      'seed-mlp: webgpu 0.40 s/60k ≤ target 0.5 s',
      'seed-mlp: webgpu / pytorch-cuda = 2.00× (within the 3× target)',
      'keras-cnn: webgpu 4.00 s/60k > target 3 s',
      'keras-cnn: webgpu / pytorch-cuda = 4.00× (over the 3× target)',
      'small-cnn: no webgpu result',
    ]);
  });

  it('prints one aligned line per row, errors in place of the device', () => {
    const table = formatTable([row('seed-mlp', 'layerlab-webgpu', 0.4), row('seed-mlp', 'pytorch-cuda', null, 'PyTorch is not installed here')]).split('\n');
    expect(table).toHaveLength(4);
    expect(table[0]).toMatch(/^workload\s+engine\s+examples\s+s\/epoch\s+s\/60k\s+first s\s+val_acc\s+device \/ error$/);
    expect(table[2]).toContain('NVIDIA H200');
    expect(table[3]).toContain('ERROR: PyTorch is not installed here');
    expect(table[2]!.indexOf('0.400')).toBe(table[0]!.indexOf('s/epoch'));
  });

  it('has the three workloads, all valid architectures', () => {
    expect(WORKLOADS.map((w) => w.id)).toEqual(['seed-mlp', 'small-cnn', 'keras-cnn']);
    for (const w of WORKLOADS) expect(analyzeArchitecture(w.architecture).ok).toBe(true);
    expect(analyzeArchitecture(findWorkload('keras-cnn').architecture).totalParams).toBe(34_826); // Keras' summary
    expect(() => findWorkload('resnet')).toThrow(/unknown workload "resnet"/);
  });
});
