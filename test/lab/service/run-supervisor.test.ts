// The run supervisor's limit on runs training at once, counted across the processes sharing a lab.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findPreset, parseCommandInput } from '../../../src-shared/index.ts';
import { DatasetRegistry } from '../../../src-main/lab/data/dataset-registry.ts';
import { LabStore } from '../../../src-main/lab/store/lab-store.ts';
import { RunStateError } from '../../../src-main/lab/service/run-state-error.ts';
import { defaultMaxConcurrentRuns, RunSupervisor } from '../../../src-main/lab/service/run-supervisor.ts';
import { fakeTrainerLauncher } from './fake-trainer.ts';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function openLab(maxConcurrentRuns: number) {
  const home = mkdtempSync(join(tmpdir(), 'layerlab-supervisor-'));
  const store = LabStore.open(join(home, 'layerlab.sqlite'), { ownerKind: 'test' });
  const launcher = fakeTrainerLauncher();
  const supervisor = new RunSupervisor({ home, store, datasets: new DatasetRegistry(home), launcher, emit: () => {}, maxConcurrentRuns, memoryBudgetBytes: 8 * 1024 ** 3 });
  cleanups.push(() => rmSync(home, { recursive: true, force: true }), () => store.close());
  return { home, store, launcher, supervisor };
}

const request = () => parseCommandInput('startRun', { architecture: findPreset('keras-mlp')!.architecture, train: { trainExamples: 100, testExamples: 100, batchSize: 50, epochs: 1 }, backend: 'cpu' });

describe('RunSupervisor: runs at once', () => {
  it('defaults to one run per 2 cores, at least one', () => {
    expect([1, 2, 3, 4, 16].map((cores) => defaultMaxConcurrentRuns(cores))).toEqual([1, 1, 1, 2, 8]);
    expect(() => openLab(0)).toThrow(/maxConcurrentRuns must be a whole number ≥ 1, got 0/);
  });

  it('refuses a run past the limit, naming the runs in the way and the limit, and records nothing', () => {
    const { store, launcher, supervisor } = openLab(2);
    const first = supervisor.startRun(request()).runId;
    const second = supervisor.startRun(request()).runId;
    const third = () => supervisor.startRun(request());
    expect(third).toThrow(RunStateError);
    expect(third).toThrow(`this lab already trains 2 runs (run ${first} here, run ${second} here) and its limit is 2 at once; wait for one to finish or stop one, then start again`);
    expect(store.listRuns()).toHaveLength(2);
    expect(launcher.trainers).toHaveLength(2);
    launcher.trainers[0]!.finish('completed');
    expect(supervisor.startRun(request()).runId).toBeGreaterThan(second);
  });

  it('counts the runs another live process trains in the same lab', async () => {
    const { home, supervisor } = openLab(1);
    const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, '../store/hold-run.ts'), join(home, 'layerlab.sqlite'), 'layerlab serve'], {
      cwd: join(import.meta.dirname, '../../..'),
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    cleanups.push(async () => {
      child.kill('SIGKILL');
      if (child.exitCode === null && child.signalCode === null) await new Promise((resolve) => child.once('exit', resolve));
    });
    const held = Number(await new Promise<string>((resolve) => child.stdout!.once('data', (chunk: Buffer) => resolve(chunk.toString()))));
    expect(() => supervisor.startRun(request())).toThrow(`this lab already trains a run (run ${held} in layerlab serve (pid ${child.pid} on ${hostname()})) and its limit is 1 at once`);
  });
});
