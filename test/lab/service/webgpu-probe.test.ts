// The backend doctor's WebGPU line comes from a real trainer process (Dawn is loaded there, not in the app).
import { describe, expect, it } from 'vitest';
import { WEBGPU_ALLOW_SOFTWARE_VARIABLE } from '../../../src-shared/index.ts';
import { findAdapter } from '../../../src-main/lab/engine/webgpu/dawn-adapter.ts';
import { probeWebGpuInTrainer } from '../../../src-main/lab/service/webgpu-probe.ts';
import { forkTrainerLauncher } from '../../../src-main/lab/training/fork-trainer-launcher.ts';
import type { TrainerLauncher } from '../../../src-main/lab/training/trainer-protocol.ts';

const here = await findAdapter(false);

describe('probing WebGPU in a trainer process', () => {
  it('answers what this process finds, with the adapter', async () => {
    const { probe, adapter } = await probeWebGpuInTrainer(forkTrainerLauncher());
    expect(probe).toEqual({ backend: 'webgpu', available: here.found !== null, reason: here.reason });
    if (here.found === null && here.adapter) {
      // A software-only machine (CI): the doctor shows llvmpipe and names the variable.
      expect(adapter).toEqual(here.adapter);
      expect(probe.reason).toContain(`${WEBGPU_ALLOW_SOFTWARE_VARIABLE}=1`);
    }
  });

  it('turns a trainer that dies or hangs into a reason', async () => {
    const dying: TrainerLauncher = {
      launch: () => {
        let exit: (code: number | null, signal: string | null) => void = () => {};
        return { send: () => setTimeout(() => exit(null, 'SIGSEGV'), 5), onMessage: () => {}, onExit: (l) => (exit = l), kill: () => {} };
      },
    };
    expect((await probeWebGpuInTrainer(dying)).probe.reason).toBe('the process looking for a WebGPU adapter ended early (SIGSEGV)');
    const silent: TrainerLauncher = { launch: () => ({ send: () => {}, onMessage: () => {}, onExit: () => {}, kill: () => {} }) };
    expect((await probeWebGpuInTrainer(silent, 30)).probe).toEqual({ backend: 'webgpu', available: false, reason: 'looking for a WebGPU adapter took over 0.03 s' });
  });
});
