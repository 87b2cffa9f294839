// The facade's own rules, over a trainer that does nothing until told: a run this process trains
// can't be deleted; once it ends it can, and the scorer forgets it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findPreset, parseCommandInput } from '../../../src-shared/index.ts';
import { LabService } from '../../../src-main/lab/service/lab-service.ts';
import { fakeTrainerLauncher } from './fake-trainer.ts';

const home = mkdtempSync(join(tmpdir(), 'layerlab-facade-'));
const launcher = fakeTrainerLauncher();
let service: LabService;
beforeAll(async () => {
  service = await LabService.open({ home, trainerLauncher: launcher, processKind: 'test', maxConcurrentRuns: 1 });
});
afterAll(async () => {
  await service.close();
  rmSync(home, { recursive: true, force: true });
});

describe('LabService', () => {
  it('refuses to delete a run it trains, then deletes it once it ended', async () => {
    const request = parseCommandInput('startRun', { architecture: findPreset('keras-mlp')!.architecture, train: { trainExamples: 100, testExamples: 100, epochs: 1 }, backend: 'cpu' });
    const { runId } = service.startRun(request);
    expect(() => service.deleteRun({ runId })).toThrow(`run ${runId} is still running; stop it first`);
    expect(() => service.startRun(request)).toThrow(/and its limit is 1 at once/);
    launcher.trainers[0]!.finish('stopped');
    await service.waitForRun(runId);
    expect(service.getRun({ runId }).status).toBe('stopped');
    expect(service.deleteRun({ runId })).toEqual({ runId, deleted: true });
    expect(() => service.getRun({ runId })).toThrow(`run ${runId} does not exist`);
  });
});
