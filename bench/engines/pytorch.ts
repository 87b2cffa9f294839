// PyTorch reference (bench/pytorch_bench.py), when some python3 on this machine can import torch.
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mnistDataDir } from '../mnist.ts';
import type { BenchWorkload, Engine, EngineResult } from './types.ts';

const PYTHONS = [process.env['LAYERLAB_BENCH_PYTHON'], 'python3', '/usr/bin/python3'].filter((p): p is string => p != null && p !== '');

function findPython(): string | null {
  for (const py of PYTHONS) {
    try {
      execFileSync(py, ['-c', 'import torch, numpy'], { stdio: 'ignore', timeout: 60_000 });
      return py;
    } catch {
      // try the next one
    }
  }
  return null;
}

export const engine: Engine = {
  name: 'pytorch',
  describe: 'PyTorch reference (same model, init, data, optimizer)',
  unavailable: async () =>
    findPython() == null
      ? `no python3 that imports torch and numpy (tried ${PYTHONS.join(', ')}); on Debian: sudo apt-get install python3-torch python3-numpy libopenblas0-pthread (or point LAYERLAB_BENCH_PYTHON at a python that has torch)`
      : null,
  async run(w: BenchWorkload): Promise<EngineResult> {
    const py = findPython();
    if (py == null) throw new Error('torch not importable');
    const script = join(dirname(fileURLToPath(import.meta.url)), '..', 'pytorch_bench.py');
    const out = execFileSync(py, [script, mnistDataDir(), w.workload, String(w.batchSize), String(w.maxSteps ?? 0), String(w.seed), String(w.torchThreads)], {
      encoding: 'utf8',
      maxBuffer: 1 << 20,
    });
    const line = out.trim().split('\n').pop() ?? '';
    const r = JSON.parse(line) as EngineResult;
    r.notes.push(`python: ${py}`);
    return r;
  },
};
