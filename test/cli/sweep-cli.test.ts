// layerlab sweep end to end with real (tiny) training: the grid's runs, one line each and the best; the queue
// surviving kill -9 of the process running it (the interrupted run marked and re-queued once, the rest resumed).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LabStore } from '../../src-main/lab/store/lab-store.ts';

const BIN = join(import.meta.dirname, '../../bin/layerlab.js');
const home = mkdtempSync(join(tmpdir(), 'layerlab-sweep-cli-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

const TINY = ['--preset', 'keras-mlp', '--train-examples', '300', '--test-examples', '100', '--batch-size', '100', '--backend', 'cpu'];

describe('layerlab sweep', () => {
  it('refuses bad flags with one line', () => {
    const r = spawnSync(process.execPath, [BIN, 'sweep', ...TINY, '--grid', 'units@9=1,2', '--home', home], { encoding: 'utf8' });
    expect(r.status).not.toBe(0);
    expect(r.stderr.trim()).toMatch(/units@9: the model has 2 layers/);
    const s = spawnSync(process.execPath, [BIN, 'sweep', ...TINY, '--grid', 'lr', '--home', home], { encoding: 'utf8' });
    expect(s.stderr.trim()).toMatch(/--grid takes FIELD=VALUES, got "lr"/);
  });

  it('survives kill -9 of the process running the queue: the cut-off run is re-queued once, the rest resume', async () => {
    // 2 × 2 grid, 3 epochs each; --json prints a line per finished run.
    const child = spawn(process.execPath, [BIN, 'sweep', ...TINY, '--epochs', '3', '--grid', 'lr=0.1,0.05', '--grid', 'units@1=16,32', '--json', '--home', home], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.setEncoding('utf8');
    // Killed once the first run has finished and the second has committed an epoch: mid-run, mid-queue.
    const killed = new Promise<void>((resolve, reject) => {
      const timer = setInterval(() => {
        if (!stdout.includes('"type":"sweepRun"')) return;
        const store = LabStore.open(join(home, 'layerlab.sqlite'));
        try {
          const items = store.sweeps.detail(1).items;
          if (items[1]?.run && items[1].run.epochsDone >= 1 && items[1].run.epochsDone < 3) {
            clearInterval(timer);
            child.kill('SIGKILL');
            resolve();
          }
        } finally {
          store.close();
        }
      }, 100);
      child.on('exit', () => {
        clearInterval(timer);
        reject(new Error(`the sweep ended before it could be killed:\n${stdout}`));
      });
    });
    child.stdout.on('data', (chunk: string) => (stdout += chunk));
    await killed;
    await new Promise((resolve) => child.once('exit', resolve));
    expect(stdout.trim().split('\n')).toHaveLength(1);

    const resumed = spawnSync(process.execPath, [BIN, 'sweep', 'resume', '1', '--json', '--home', home], { encoding: 'utf8', timeout: 170_000 });
    expect(resumed.stderr).toBe('');
    expect(resumed.status).toBe(0);
    const lines = resumed.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; params: unknown; note: string | null; best?: { runId: number } });
    // The 3 runs still owed, then the best.
    expect(lines.map((l) => l.type)).toEqual(['sweepRun', 'sweepRun', 'sweepRun', 'sweepBest']);

    const store = LabStore.open(join(home, 'layerlab.sqlite'));
    try {
      const sweep = store.sweeps.detail(1);
      expect(sweep.status).toBe('finished');
      expect(sweep.items.map((i) => [i.params, i.state, i.run?.status, i.run?.epochsDone])).toEqual([
        [{ lr: 0.1, 'units@1': 16 }, 'done', 'completed', 3],
        [{ lr: 0.1, 'units@1': 32 }, 'done', 'completed', 3],
        [{ lr: 0.05, 'units@1': 16 }, 'done', 'completed', 3],
        [{ lr: 0.05, 'units@1': 32 }, 'done', 'completed', 3],
      ]);
      const cut = sweep.items[1]!;
      expect(cut.attempts).toBe(2);
      expect(cut.note).toMatch(/^run \d+ was interrupted \(its process ended\); re-queued once$/);
      // The cut-off run stays in the lab, marked, tagged with its sweep; the others ran once each.
      const runs = store.listRuns();
      expect(runs).toHaveLength(5);
      const interrupted = runs.filter((r) => r.status === 'interrupted');
      expect(interrupted).toHaveLength(1);
      expect(interrupted[0]!.tags).toEqual(['sweep:1']);
      expect(interrupted[0]!.epochsCompleted).toBeGreaterThanOrEqual(1);
      expect(lines[3]!.best?.runId).toBeGreaterThan(0);
    } finally {
      store.close();
    }
  }, 240_000);
});
