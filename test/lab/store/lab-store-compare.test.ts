// Store queries behind the Runs screen: many runs at once, in order, and a list that stays fast.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LabStore } from '../../../src-main/lab/store/lab-store.ts';
import { newRun } from './store-fixtures.ts';

const dirs: string[] = [];
function tempStore(): LabStore {
  const dir = mkdtempSync(join(tmpdir(), 'layerlab-store-compare-'));
  dirs.push(dir);
  return LabStore.open(join(dir, 'layerlab.sqlite'));
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const epoch = (n: number, run = 0) => ({ epoch: n, loss: 1 / n + run / 1000, acc: 0.5 + n / 100, val_loss: 0.9 / n, val_acc: 0.6 + n / 100, seconds: 1.5 });
const report = { chosen: 'wasm' as const, requested: 'auto' as const, probes: [], versions: {} };
const evaluation = (acc: number) => ({ loss: 0.3, accuracy: acc, confusionMatrix: [[1, 0], [0, 1]], perClass: [], examples: 2 });
const predictions = () => ({ testIndices: Uint32Array.from([0, 1]), predicted: Uint8Array.from([0, 1]), confidence: Float32Array.from([0.9, 0.8]) });

describe('LabStore queries for compare', () => {
  it('reads summaries, histories, evaluations and checkpoint epochs of many runs in the order asked', () => {
    const store = tempStore();
    const ids = [store.createRun(newRun('a')), store.createRun(newRun('b')), store.createRun(newRun('c'))];
    ids.forEach((id, k) => {
      store.markStarted(id, report);
      for (let e = 1; e <= k + 1; e++) {
        store.addEpoch(id, epoch(e, id), []);
        store.saveCheckpoint(id, { kind: 'epoch', epoch: e, valLoss: 0.1, weights: new Uint8Array(8) });
      }
    });
    store.saveEvaluation(ids[1]!, evaluation(0.9), predictions());
    const order = [ids[2]!, ids[0]!, ids[1]!];
    expect(store.getSummaries(order).map((r) => r.name)).toEqual(['c', 'a', 'b']);
    const histories = store.getHistories(order);
    expect(order.map((id) => histories.get(id)?.map((e) => e.epoch))).toEqual([[1, 2, 3], [1], [1, 2]]);
    expect(histories.get(ids[2]!)?.[0]?.loss).toBeCloseTo(1 + ids[2]! / 1000);
    const evs = store.getEvaluations(order);
    expect(evs.get(ids[1]!)?.evaluation?.accuracy).toBe(0.9);
    expect(evs.get(ids[0]!)?.evaluation).toBeNull();
    expect(evs.get(ids[2]!)?.checkpointEpochs).toEqual([1, 2, 3]);
    expect(() => store.getSummaries([ids[0]!, 12345])).toThrow(/run 12345 does not exist/);
    store.close();
  });

  it('deleting a run removes its metrics, checkpoints and evaluation and nothing of the others', () => {
    const store = tempStore();
    const keep = store.createRun(newRun('keep'));
    const drop = store.createRun(newRun('drop'));
    for (const id of [keep, drop]) {
      store.addEpoch(id, epoch(1), [{ epoch: 1, batch: 1, loss: 0.5 }]);
      store.saveCheckpoint(id, { kind: 'final', epoch: 1, valLoss: null, weights: new Uint8Array(16) });
      store.saveEvaluation(id, evaluation(0.8), predictions());
    }
    const before = store.getRun(keep);
    expect(store.deleteRun(drop)).toBe(true);
    const db = store.connectionForTests;
    for (const table of ['epochs', 'batch_losses', 'checkpoints', 'evaluations', 'predictions']) {
      expect(db.prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE run_id = ?`).get(drop)).toEqual({ n: 0 });
      expect(db.prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE run_id = ?`).get(keep)).toEqual({ n: 1 });
    }
    expect(store.getRun(keep)).toEqual(before);
    store.close();
  });

  it('lists 1,000 runs of 50 epochs in well under 300 ms', () => {
    const store = tempStore();
    const db = store.connectionForTests;
    db.transaction(() => {
      for (let r = 0; r < 1000; r++) {
        const id = store.createRun(newRun(`run ${r}`));
        store.markStarted(id, report);
        for (let e = 1; e <= 50; e++) store.addEpoch(id, epoch(e, r), []);
        store.saveEvaluation(id, evaluation(0.9), predictions());
        store.finishRun(id, 'completed', null);
      }
    })();
    store.listRuns({ limit: 5 }); // warm the statement cache, as the app does at start
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      const runs = store.listRuns({});
      times.push(performance.now() - t0);
      expect(runs).toHaveLength(1000);
      expect(runs[0]?.last?.epoch).toBe(50);
    }
    const median = times.sort((x, y) => x - y)[2]!;
    console.info(`listRuns over 1,000 runs x 50 epochs: median ${median.toFixed(1)} ms`);
    expect(median).toBeLessThan(300);
    // Compare 10 runs x 50 epochs: one query each for summaries, histories and evaluations.
    const ids = runsIds(store).slice(0, 10);
    const t0 = performance.now();
    const h = store.getHistories(ids);
    store.getSummaries(ids);
    store.getEvaluations(ids);
    const compareMs = performance.now() - t0;
    console.info(`compare queries for 10 runs x 50 epochs: ${compareMs.toFixed(1)} ms`);
    expect([...h.values()].every((x) => x.length === 50)).toBe(true);
    expect(compareMs).toBeLessThan(100);
    store.close();
  });
});

function runsIds(store: LabStore): number[] {
  return store.listRuns({ limit: 10 }).map((r) => r.id);
}
