// The backend doctor's WebGPU line. Finding an adapter loads Dawn, which belongs in the trainer process (Electron's
// utility process), not in the app's main process: so a short-lived trainer looks, answers and exits.
import type { BackendProbe, GpuAdapterReport } from '../../../src-shared/index.ts';
import type { TrainerLauncher } from '../training/trainer-protocol.ts';

export interface WebGpuProbe {
  probe: BackendProbe;
  adapter?: GpuAdapterReport;
}

export const WEBGPU_PROBE_TIMEOUT_MS = 20_000;

export function probeWebGpuInTrainer(launcher: TrainerLauncher, timeoutMs = WEBGPU_PROBE_TIMEOUT_MS): Promise<WebGpuProbe> {
  const unavailable = (reason: string): WebGpuProbe => ({ probe: { backend: 'webgpu', available: false, reason } });
  let channel: ReturnType<TrainerLauncher['launch']>;
  try {
    channel = launcher.launch();
  } catch (error) {
    // The doctor still answers (with why) when no trainer process can be started.
    return Promise.resolve(unavailable(`no process could be started to look for a WebGPU adapter: ${(error as Error).message}`));
  }
  let timer: NodeJS.Timeout | undefined;
  return new Promise<WebGpuProbe>((resolve) => {
    timer = setTimeout(() => resolve(unavailable(`looking for a WebGPU adapter took over ${timeoutMs / 1000} s`)), timeoutMs);
    channel.onMessage((m) => {
      if (m.type === 'webgpuProbe') resolve({ probe: m.probe, ...(m.adapter ? { adapter: m.adapter } : {}) });
      else if (m.type === 'fatal') resolve(unavailable(`looking for a WebGPU adapter failed: ${m.message}`));
    });
    channel.onExit((code, signal) => resolve(unavailable(`the process looking for a WebGPU adapter ended early (${signal ?? `code ${code}`})`)));
    channel.send({ type: 'probeWebGpu' });
  }).finally(() => {
    clearTimeout(timer);
    channel.kill();
  });
}
