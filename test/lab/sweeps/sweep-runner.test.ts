// The sweeps' queue run by the lab: one after another or N at once within the lab's limit, pause, cancel,
// re-order, and a graceful close that puts the cut-off run back in the queue. Trainers are fakes the test ends.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findPreset, parseCommandInput, type CreateSweepRequest } from '../../../src-shared/index.ts';
import { LabService } from '../../../src-main/lab/service/lab-service.ts';
import { fakeTrainerLauncher } from '../service/fake-trainer.ts';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function openLab(maxConcurrentRuns: number, home = mkdtempSync(join(tmpdir(), 'layerlab-sweeps-'))) {
  const launcher = fakeTrainerLauncher();
  const service = await LabService.open({ home, trainerLauncher: launcher, maxConcurrentRuns, runSweeps: true, memoryBudgetBytes: 8 * 1024 ** 3 });
  cleanups.push(() => rmSync(home, { recursive: true, force: true }), () => service.close());
  return { home, service, launcher };
}

const grid = (extra: Partial<CreateSweepRequest> = {}) =>
  parseCommandInput('createSweep', {
    name: 'lr × units',
    base: { architecture: findPreset('keras-mlp')!.architecture, train: { trainExamples: 100, testExamples: 100, batchSize: 50, epochs: 1 }, backend: 'cpu' },
    search: { kind: 'grid', params: [{ field: 'lr', values: [0.1, 0.01] }, { field: 'units@1', values: [32, 64] }] },
    ...extra,
  });

/** Lets the runner's deferred pump run. */
const settle = () => new Promise<void>((resolve) => setImmediate(() => setImmediate(resolve)));

/** Ends the live fake trainers' runs, oldest first. */
function finishLive(launcher: ReturnType<typeof fakeTrainerLauncher>, count: number, from: number) {
  for (let i = from; i < from + count; i++) launcher.trainers[i]!.finish('completed');
}

describe('sweep queue in the lab', () => {
  it("runs exactly the grid, one after another, each a normal run tagged with its sweep", async () => {
    const { service, launcher } = await openLab(2);
    const { sweepId, runs } = service.createSweep(grid());
    expect(runs).toBe(4);
    for (let i = 0; i < 4; i++) {
      await settle();
      expect(launcher.trainers, `after ${i} finished`).toHaveLength(i + 1);
      expect(service.getSweep({ sweepId }).counts).toMatchObject({ running: 1, done: i, queued: 3 - i });
      finishLive(launcher, 1, i);
    }
    await settle();
    const sweep = service.getSweep({ sweepId });
    expect(sweep.status).toBe('finished');
    expect(sweep.counts).toMatchObject({ total: 4, done: 4 });
    const configs = sweep.items.map((item) => {
      const run = service.getRun({ runId: item.runId! });
      expect(run.tags).toEqual([`sweep:${sweepId}`]);
      return [run.compile.optimizer.learningRate, (run.architecture.layers[0] as { units: number }).units];
    });
    expect(configs).toEqual([[0.1, 32], [0.1, 64], [0.01, 32], [0.01, 64]]);
    expect(service.listSweeps()[0]).toMatchObject({ id: sweepId, name: 'lr × units', fields: ['lr', 'units@1'], status: 'finished' });
  });

  it('runs N at once but never past the lab limit', async () => {
    const { service, launcher } = await openLab(2);
    const { sweepId } = service.createSweep(grid({ parallel: 3 }));
    await settle();
    expect(launcher.trainers).toHaveLength(2);
    expect(service.getSweep({ sweepId }).counts).toMatchObject({ running: 2, queued: 2 });
    // A run started by hand takes a place too: the queue waits for room instead of failing.
    finishLive(launcher, 2, 0);
    const byHand = service.startRun(grid().base);
    await settle();
    expect(launcher.trainers).toHaveLength(4); // 2 ended, 1 by hand, 1 more from the queue
    expect(service.getSweep({ sweepId }).counts).toMatchObject({ running: 1, done: 2, queued: 1 });
    expect(service.getSweep({ sweepId }).items.every((i) => i.state !== 'failed')).toBe(true);
    expect(byHand.runId).toBeGreaterThan(0);
    finishLive(launcher, 2, 2); // (so closing needs no grace period)
  });

  it('pauses (the running run finishes, nothing new starts), resumes, re-orders and cancels', async () => {
    const { service, launcher } = await openLab(1);
    const { sweepId } = service.createSweep(grid());
    await settle();
    expect(service.pauseSweep({ sweepId }).status).toBe('paused');
    finishLive(launcher, 1, 0);
    await settle();
    expect(launcher.trainers).toHaveLength(1);
    expect(service.getSweep({ sweepId }).counts).toMatchObject({ done: 1, queued: 3, running: 0 });

    // Last queued first.
    const queued = service.getSweep({ sweepId }).items.filter((i) => i.state === 'queued');
    const order = [queued[2]!.id, queued[0]!.id, queued[1]!.id];
    expect(service.reorderSweep({ sweepId, itemIds: order }).items.filter((i) => i.state === 'queued').map((i) => i.id)).toEqual(order);
    expect(() => service.reorderSweep({ sweepId, itemIds: [queued[0]!.id] })).toThrow(/must list each of sweep \d+'s 3 queued items once/);

    service.resumeSweep({ sweepId });
    await settle();
    expect(launcher.trainers).toHaveLength(2);
    const started = service.getSweep({ sweepId }).items.find((i) => i.state === 'running')!;
    expect(started.id).toBe(queued[2]!.id);
    expect(started.params).toEqual({ lr: 0.01, 'units@1': 64 });

    const cancelled = service.cancelSweep({ sweepId });
    expect(cancelled.status).toBe('cancelled');
    expect(launcher.trainers[1]!.received.some((m) => m.type === 'stop')).toBe(true);
    launcher.trainers[1]!.finish('stopped');
    await settle();
    expect(launcher.trainers).toHaveLength(2);
    expect(service.getSweep({ sweepId }).counts).toMatchObject({ done: 2, cancelled: 2, queued: 0, running: 0 });
    expect(() => service.resumeSweep({ sweepId })).toThrow(/was cancelled/);
  });

  it('refuses a sweep with a variant the lab would refuse, queuing nothing', async () => {
    const { service } = await openLab(1);
    expect(() => service.createSweep(grid({ base: { architecture: findPreset('keras-mlp')!.architecture, train: { trainExamples: 100_000 } } }))).toThrow(/lr=0.1 units@1=32: trainExamples is 100000 but mnist has 60000/);
    expect(service.listSweeps()).toEqual([]);
  });

  it('puts the run a closing lab cut off back in the queue, once, and resumes on the next open', async () => {
    const { home, service, launcher } = await openLab(1);
    const { sweepId } = service.createSweep(grid());
    await settle();
    expect(launcher.trainers).toHaveLength(1);
    // The fake trainer answers the close's stop as a real one would.
    const closing = service.close();
    launcher.trainers[0]!.finish('stopped');
    await closing;

    const again = await openLab(1, home);
    await settle();
    const sweep = again.service.getSweep({ sweepId });
    expect(again.launcher.trainers).toHaveLength(1);
    const first = sweep.items[0]!;
    expect(first).toMatchObject({ state: 'running', attempts: 2 });
    expect(first.note).toMatch(/^run \d+ was interrupted \(the lab closed while it trained\); re-queued once$/);
    const closingAgain = again.service.close();
    again.launcher.trainers[0]!.finish('stopped');
    await closingAgain;
  });
});
