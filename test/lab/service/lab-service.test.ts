// LabService with real trainer processes, a real SQLite file and real MNIST subsamples.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findPreset, parseCommandInput, type RunEvent } from '../../../src-shared/index.ts';
import { LabService } from '../../../src-main/lab/service/lab-service.ts';
import { forkTrainerLauncher } from '../../../src-main/lab/training/fork-trainer-launcher.ts';
import type { TrainerChannel, TrainerLauncher } from '../../../src-main/lab/training/trainer-protocol.ts';
import { LabStore } from '../../../src-main/lab/store/lab-store.ts';

const home = mkdtempSync(join(tmpdir(), 'layerlab-service-'));
const channels: TrainerChannel[] = [];
const launcher: TrainerLauncher = {
  launch() {
    const channel = forkTrainerLauncher().launch();
    channels.push(channel);
    return channel;
  },
};
let service: LabService;
const events: RunEvent[] = [];

beforeAll(async () => {
  service = await LabService.open({ home, trainerLauncher: launcher });
  service.onRunEvent((e) => events.push(e));
});
afterAll(async () => {
  await service.close();
  rmSync(home, { recursive: true, force: true });
});

const request = (train: object, name?: string) =>
  parseCommandInput('startRun', { architecture: findPreset('keras-mlp')!.architecture, train: { trainExamples: 1000, testExamples: 300, batchSize: 100, ...train }, backend: 'wasm', ...(name ? { name } : {}) });

function waitFor(predicate: (e: RunEvent) => boolean): Promise<RunEvent> {
  return new Promise((resolve) => {
    const found = events.find(predicate);
    if (found) return resolve(found);
    const off = service.onRunEvent((e) => {
      if (predicate(e)) {
        off();
        resolve(e);
      }
    });
  });
}

describe('LabService', () => {
  let completed = 0;

  it('trains in a separate process, persists every epoch and the evaluation', async () => {
    const { runId } = service.startRun(request({ epochs: 2 }, 'first'));
    completed = runId;
    expect(service.getRun({ runId }).status).toMatch(/queued|running/);
    await service.waitForRun(runId);
    const run = service.getRun({ runId });
    expect(run.status).toBe('completed');
    expect(run.backend).toBe('wasm');
    expect(run.backendReport?.probes.map((p) => p.backend)).toEqual(['tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu']);
    expect(run.epochs.map((e) => e.epoch)).toEqual([1, 2]);
    expect(run.batchLosses).toHaveLength(20);
    expect(run.evaluation?.examples).toBe(300);
    expect(run.checkpoints.map((c) => c.kind).sort()).toEqual(['best', 'epoch', 'epoch', 'final']);
    expect(run.dataset.name).toBe('mnist');
    const types = events.filter((e) => e.runId === runId).map((e) => e.type);
    expect(types[0]).toBe('started');
    expect(types[types.length - 1]).toBe('finished');
  });

  it('predicts from a stored checkpoint and lists misclassified test images', async () => {
    const mis = service.getMisclassified({ runId: completed, limit: 5 });
    expect(mis.length).toBeGreaterThan(0);
    expect(mis[0]!.label).not.toBe(mis[0]!.predicted);
    expect(Buffer.from(mis[0]!.pixels, 'base64')).toHaveLength(784);
    for (let i = 1; i < mis.length; i++) expect(mis[i - 1]!.confidence).toBeGreaterThanOrEqual(mis[i]!.confidence);
    const [image] = service.getTestImages({ dataset: 'mnist', indices: [0] });
    const pixels = Array.from(Buffer.from(image!.pixels, 'base64'), (v) => v / 255);
    const { probabilities } = await service.predict(parseCommandInput('predict', { runId: completed, images: [pixels] }));
    expect(probabilities[0]).toHaveLength(10);
    expect(probabilities[0]!.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
    const best = await service.predict(parseCommandInput('predict', { runId: completed, checkpoint: { kind: 'epoch', epoch: 1 }, images: [pixels] }));
    expect(best.probabilities[0]).toHaveLength(10);
    await expect(service.predict(parseCommandInput('predict', { runId: completed, checkpoint: { kind: 'epoch', epoch: 9 }, images: [pixels] }))).rejects.toThrow(`run ${completed} has no checkpoint of epoch 9`);
  });

  it('stops a run on request after the current batch', async () => {
    const { runId } = service.startRun(request({ epochs: 50, trainExamples: 600 }));
    await waitFor((e) => e.runId === runId && e.type === 'epoch');
    expect(service.stopRun({ runId })).toEqual({ runId, stopping: true });
    await service.waitForRun(runId);
    const run = service.getRun({ runId });
    expect(run.status).toBe('stopped');
    expect(run.epochs.length).toBeGreaterThanOrEqual(1);
    expect(run.epochs.length).toBeLessThan(50);
    expect(() => service.stopRun({ runId })).toThrow(/is not running \(it is stopped\)/);
  });

  it('pauses, takes a new learning rate and logs it', async () => {
    const { runId } = service.startRun(request({ epochs: 50, trainExamples: 600 }));
    await waitFor((e) => e.runId === runId && e.type === 'progress');
    expect(() => service.setLearningRate({ runId, learningRate: 0.05 })).toThrow(/pause the run/);
    service.pauseRun({ runId });
    await waitFor((e) => e.runId === runId && e.type === 'paused');
    service.setLearningRate({ runId, learningRate: 0.05 });
    service.resumeRun({ runId });
    await waitFor((e) => e.runId === runId && e.type === 'learningRate');
    service.stopRun({ runId });
    await service.waitForRun(runId);
    const log = service.getRun({ runId }).log.map((l) => l.kind);
    expect(log).toEqual(['pause', 'learningRate', 'resume']);
  });

  it('marks a run failed when its trainer process is killed, keeping finished epochs', async () => {
    const { runId } = service.startRun(request({ epochs: 50, trainExamples: 600 }));
    await waitFor((e) => e.runId === runId && e.type === 'epoch');
    channels[channels.length - 1]!.kill();
    await service.waitForRun(runId);
    const run = service.getRun({ runId });
    expect(run.status).toBe('failed');
    expect(run.statusReason).toMatch(/the trainer process was killed \(SIGKILL\)/);
    expect(run.epochs.length).toBeGreaterThanOrEqual(1);
  });

  it('keeps the parent responsive while a run trains', async () => {
    const { runId } = service.startRun(request({ epochs: 50, trainExamples: 600 }));
    await waitFor((e) => e.runId === runId && e.type === 'progress');
    // Not a timing assertion: the parent's own timers and queries keep running between the
    // trainer's messages, so the work happens elsewhere and the two interleave.
    let progressDuringLoop = 0;
    const off = service.onRunEvent((e) => {
      if (e.runId === runId && e.type === 'progress') progressDuringLoop++;
    });
    let ticks = 0;
    while (progressDuringLoop < 3) {
      await new Promise((r) => setTimeout(r, 10));
      expect(service.listRuns({}).find((r) => r.id === runId)?.status).toBe('running');
      ticks++;
    }
    off();
    service.stopRun({ runId });
    await service.waitForRun(runId);
    // A trainer on this thread would allow about one timer turn per progress message.
    expect(ticks).toBeGreaterThanOrEqual(2 * progressDuringLoop);
  });

  it('forks a run from a checkpoint of another', async () => {
    const { runId } = service.startRun({ ...request({ epochs: 1 }), parentRunId: completed, parentCheckpoint: { kind: 'final' } });
    await service.waitForRun(runId);
    const run = service.getRun({ runId });
    expect(run.parentRunId).toBe(completed);
    // Starting from trained weights, the first epoch is already good.
    expect(run.epochs[0]!.val_acc!).toBeGreaterThan(service.getRun({ runId: completed }).epochs[0]!.val_acc! - 0.02);
  });

  it('estimates an epoch from a few timed batches on the backend that would run it', async () => {
    const estimate = await service.estimateEpoch(request({}));
    expect(estimate).toMatchObject({ backend: 'wasm', batchesPerEpoch: 10, totalParams: 407_050, weightBytes: 1_628_200 });
    expect(estimate.secondsPerBatch).toBeGreaterThan(0);
    expect(estimate.secondsPerEpoch).toBeCloseTo(estimate.secondsPerBatch * 10, 9);
  });

  it('refuses what it cannot do with a clear error', () => {
    expect(() => service.stopRun({ runId: 9999 })).toThrow(/run 9999 does not exist/);
    expect(() => service.startRun({ ...request({}), dataset: 'nope' })).toThrow(/unknown dataset "nope"/);
    expect(() => service.deleteRun({ runId: 9999 })).toThrow(/does not exist/);
    const before = service.listRuns({}).length;
    // Keras: int(1 * (1 - 0.5)) = 0 examples left to train on.
    expect(() => service.startRun(request({ trainExamples: 1, validation: { kind: 'split', fraction: 0.5 } }))).toThrow(/a validation split of 0\.5 of 1 examples leaves an empty set/);
    expect(service.listRuns({})).toHaveLength(before);
  });
});

describe('a lab whose process died mid-run', () => {
  it('marks the run interrupted on the next open', () => {
    const dir = mkdtempSync(join(tmpdir(), 'layerlab-dead-'));
    const file = join(dir, 'layerlab.sqlite');
    const store = LabStore.open(file);
    const runId = store.createRun({ name: 'x', architecture: findPreset('keras-mlp')!.architecture, compile: parseCommandInput('startRun', { architecture: findPreset('keras-mlp')!.architecture }).compile, train: parseCommandInput('startRun', { architecture: findPreset('keras-mlp')!.architecture }).train, dataset: { name: 'mnist', hash: 'h' }, totalParams: 1 });
    store.close();
    const again = LabStore.open(file);
    expect(again.getRun(runId)?.status).toBe('interrupted');
    again.close();
    rmSync(dir, { recursive: true, force: true });
  });
});
