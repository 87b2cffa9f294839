// One row of the GPU check per workload and engine, and the table printed from them.
export interface CheckResult {
  workload: string;
  /** layerlab-webgpu, layerlab-wasm, pytorch-cuda (pytorch-cpu where CUDA is absent). */
  engine: string;
  examples: number;
  epochs: number;
  /** The fastest epoch after the first (the first compiles shaders/kernels); the first when only one ran. */
  secondsPerEpoch: number | null;
  firstEpochSeconds: number | null;
  /** secondsPerEpoch scaled to the full 60,000-image epoch the targets speak of. */
  secondsPer60k: number | null;
  valAcc: number | null;
  /** The GPU (or CPU build) it ran on, in words. */
  device: string;
  error: string | null;
}

export const FULL_EPOCH = 60_000;

export function steadyEpochSeconds(epochSeconds: readonly number[]): { steady: number | null; first: number | null } {
  if (epochSeconds.length === 0) return { steady: null, first: null };
  const later = epochSeconds.slice(1);
  return { steady: later.length > 0 ? Math.min(...later) : (epochSeconds[0] ?? null), first: epochSeconds[0] ?? null };
}

const num = (v: number | null, digits: number) => (v == null ? '—' : v.toFixed(digits));

/** A fixed-width table: one line per result, the slowest part of each row easy to spot. */
export function formatTable(results: readonly CheckResult[]): string {
  const header = ['workload', 'engine', 'examples', 's/epoch', 's/60k', 'first s', 'val_acc', 'device / error'];
  const rows = results.map((r) => [
    r.workload,
    r.engine,
    String(r.examples),
    num(r.secondsPerEpoch, 3),
    num(r.secondsPer60k, 2),
    num(r.firstEpochSeconds, 2),
    num(r.valAcc, 4),
    r.error ? `ERROR: ${r.error}` : r.device,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.slice().map((row) => (i === header.length - 1 ? 0 : (row[i] ?? '').length))));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ');
  return [line(header), line(widths.map((w, i) => (i === header.length - 1 ? '-'.repeat(14) : '-'.repeat(w)))), ...rows.map(line)].join('\n');
}

/** The targets on the GPU box, checked from the table: seed ≤ 0.5 s, Keras CNN ≤ 3 s, within 3× of PyTorch. */
export function targetVerdicts(results: readonly CheckResult[]): string[] {
  const get = (workload: string, engine: string) => results.find((r) => r.workload === workload && r.engine === engine && r.error == null);
  const out: string[] = [];
  const limits: Record<string, number> = { 'seed-mlp': 0.5, 'keras-cnn': 3 };
  for (const workload of [...new Set(results.map((r) => r.workload))]) {
    const gpu = get(workload, 'layerlab-webgpu');
    if (!gpu?.secondsPer60k) {
      out.push(`${workload}: no webgpu result`);
      continue;
    }
    const limit = limits[workload];
    if (limit != null) out.push(`${workload}: webgpu ${gpu.secondsPer60k.toFixed(2)} s/60k ${gpu.secondsPer60k <= limit ? '≤' : '>'} target ${limit} s`);
    const torch = get(workload, 'pytorch-cuda');
    if (torch?.secondsPer60k) {
      const ratio = gpu.secondsPer60k / torch.secondsPer60k;
      out.push(`${workload}: webgpu / pytorch-cuda = ${ratio.toFixed(2)}× (${ratio <= 3 ? 'within' : 'over'} the 3× target)`);
    }
  }
  return out;
}
