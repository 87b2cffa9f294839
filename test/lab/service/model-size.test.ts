// The lab refuses a model too big to train before a run is recorded or a trainer started:
// the 1 G parameter cap through the contract, the memory budget in the service's pre-flight.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LabService } from '../../../src-main/lab/service/lab-service.ts';
import type { TrainerLauncher } from '../../../src-main/lab/training/trainer-protocol.ts';
import { parseCommandInput } from '../../../src-shared/index.ts';

const home = mkdtempSync(join(tmpdir(), 'layerlab-model-size-'));
const launches: string[] = [];
const launcher: TrainerLauncher = {
  launch() {
    launches.push('launched');
    throw new Error('no trainer may start for a refused model');
  },
};
let service: LabService;
beforeAll(async () => {
  service = await LabService.open({ home, trainerLauncher: launcher, memoryBudgetBytes: 256 * 2 ** 20 });
});
afterAll(async () => {
  await service.close();
  rmSync(home, { recursive: true, force: true });
});

const dense = (units: number, activation = 'relu') => ({ type: 'dense', units, activation });

describe('model size', () => {
  it('refuses 784 → Dense 65536 → Dense 65536 → Dense 10 in the contract, naming its size and the cap', () => {
    const request = { architecture: { inputShape: [784], layers: [dense(65_536), dense(65_536), dense(10, 'softmax')] } };
    expect(() => parseCommandInput('startRun', request)).toThrow(/layers\.1\.units: layer 2 \(dense\): the model would have 4,347,133,962 parameters, more than the limit of 1,000,000,000/);
    expect(service.analyzeArchitecture(request.architecture).ok).toBe(false);
  });

  it('refuses a plan over the memory budget in startRun and estimateEpoch, before anything is recorded', async () => {
    const request = parseCommandInput('startRun', { architecture: { inputShape: [784], layers: [dense(8192), dense(8192), dense(10, 'softmax')] }, compile: { optimizer: { name: 'adam' } } });
    const message = /layer 2 \(dense\): training this model needs about [\d.]+ GB .*more than the limit of 256\.0 MB \(half of this machine's memory\)/;
    expect(() => service.startRun(request)).toThrow(message);
    await expect(service.estimateEpoch(request)).rejects.toThrow(message);
    expect(service.listRuns({})).toEqual([]);
    expect(launches).toEqual([]);
  });

  it('tells the renderer its budget', async () => {
    expect((await service.getSystemInfo()).memoryBudgetBytes).toBe(256 * 2 ** 20);
  });
});
