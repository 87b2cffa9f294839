// "Automatic" with two good candidates: a GPU is not always the faster one (the seed MLP may run faster on wasm
// threads than on a weak integrated GPU; a CNN will not), so when webgpu won the order, the next CPU tier is timed
// on the same model too and the faster is kept. The numbers go into the run's backend report.
import type { BackendName } from '../../../src-shared/index.ts';
import type { Tf } from '../model/tf-types.ts';
import { BACKEND_ORDER, type LoadedBackend } from './backends.ts';

export interface TimingSeams {
  /** Loads (and activates) another backend in this process. */
  load(backend: BackendName): Promise<LoadedBackend>;
  /** Seconds per training step of the job's model on the active backend. */
  secondsPerStep(tf: Tf, backend: BackendName): Promise<number>;
  /** Frees what the backend that lost holds (the GPU device). */
  release?(tf: Tf, backend: BackendName): void;
}

/** The first available backend after `chosen` in the order: the one to time against. */
export function runnerUp(loaded: LoadedBackend): BackendName | null {
  const after = BACKEND_ORDER.slice(BACKEND_ORDER.indexOf(loaded.report.chosen) + 1);
  return after.find((b) => b !== 'cpu' && loaded.report.probes.some((p) => p.backend === b && p.available)) ?? null;
}

const ms = (seconds: number) => `${(seconds * 1000).toFixed(1)} ms/step`;

export async function keepFasterBackend(loaded: LoadedBackend, seams: TimingSeams): Promise<LoadedBackend> {
  if (loaded.report.requested !== 'auto' || loaded.report.chosen !== 'webgpu') return loaded;
  const other = runnerUp(loaded);
  if (other === null) return loaded;
  const gpuSeconds = await seams.secondsPerStep(loaded.tf, 'webgpu');
  const second = await seams.load(other);
  const otherSeconds = await seams.secondsPerStep(second.tf, other);
  const gpuWins = gpuSeconds <= otherSeconds;
  const kept = gpuWins ? loaded : second;
  const reason = `timed this model: webgpu ${ms(gpuSeconds)}, ${other} ${ms(otherSeconds)}; kept ${gpuWins ? 'webgpu' : other}`;
  if (gpuWins) {
    if (!(await loaded.tf.setBackend('webgpu'))) throw new Error('webgpu could not be made active again after timing');
  } else {
    seams.release?.(loaded.tf, 'webgpu');
  }
  return {
    tf: kept.tf,
    report: {
      ...kept.report,
      requested: 'auto',
      probes: loaded.report.probes,
      // The GPU stays described (it was found and timed) even when the CPU tier won.
      ...(loaded.report.adapter ? { adapter: loaded.report.adapter } : {}),
      timing: { secondsPerStep: { webgpu: gpuSeconds, [other]: otherSeconds }, kept: kept.report.chosen, reason },
    },
  };
}
