// The sweeps' store at the scale the issue names: 200 runs × 50 epochs read back as one sweep in one query.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CreateSweepSchema, findPreset } from '../../../src-shared/index.ts';
import { LabStore } from '../../../src-main/lab/store/lab-store.ts';
import { expandSweep } from '../../../src-main/lab/sweeps/search-space.ts';

const home = mkdtempSync(join(tmpdir(), 'layerlab-sweep-store-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

describe('SweepQueue at 200 runs × 50 epochs', () => {
  it('lists the sweep with every run\'s metric, and re-reads it far faster than it was written', () => {
    const store = LabStore.open(join(home, 'layerlab.sqlite'));
    try {
      const spec = CreateSweepSchema.parse({
        base: { architecture: findPreset('keras-mlp')!.architecture, train: { epochs: 50 } },
        search: { kind: 'grid', params: [{ field: 'lr', values: [0.1, 0.05, 0.02, 0.01, 0.005, 0.002, 0.001, 0.0005, 0.0002, 0.0001] }, { field: 'units@1', values: [16, 32, 64, 128, 256] }] },
        repeats: 4,
        metric: 'val_loss',
      });
      const variants = expandSweep(spec);
      expect(variants).toHaveLength(200);
      const sweepId = store.sweeps.create('big', spec, variants);
      const written = performance.now();
      for (let i = 0; i < 200; i++) {
        const item = store.sweeps.claimNext()!;
        const v = variants[i]!;
        const runId = store.createRun({ name: `r${i}`, architecture: v.request.architecture, compile: v.request.compile, train: v.request.train, dataset: { name: 'mnist', hash: 'h' }, totalParams: 1, tags: [`sweep:${sweepId}`] });
        store.sweeps.attachRun(item.id, runId);
        for (let e = 1; e <= 50; e++) store.addEpoch(runId, { epoch: e, loss: 1 / e, acc: 0.5, val_loss: 1 / e + i / 1000, val_acc: 0.5, seconds: 1 }, []);
        store.finishRun(runId, 'completed', null);
        store.sweeps.finishRun(runId, 'completed', null);
      }
      const writeMs = performance.now() - written;
      const t0 = performance.now();
      const detail = store.sweeps.detail(sweepId);
      const list = store.sweeps.list();
      const readMs = performance.now() - t0;
      expect(detail.items).toHaveLength(200);
      expect(detail.status).toBe('finished');
      expect(detail.items[7]!.run).toMatchObject({ status: 'completed', epochsDone: 50, epochs: 50 });
      expect(detail.items[7]!.run!.metric).toBeCloseTo(1 / 50 + 7 / 1000, 9);
      expect(list[0]!.counts).toMatchObject({ total: 200, done: 200 });
      // A ratio within one run, not a wall-clock limit (the cores are shared): reading is a small part of writing.
      expect(readMs).toBeLessThan(writeMs / 10);
      console.info(`200 runs × 50 epochs: sweep detail + list read in ${readMs.toFixed(1)} ms (written in ${writeMs.toFixed(0)} ms)`);
    } finally {
      store.close();
    }
  }, 120_000);
});
