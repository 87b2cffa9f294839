import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../../src-shared/runs.ts';
import { RunState } from '../../src-renderer/state/run-state.svelte.ts';
import { FakeLab, flush, sampleEvaluation, sampleRun } from './fake-lab.ts';
import { PRESETS } from '../../src-shared/presets.ts';

const REQUEST = { architecture: PRESETS[0]!.architecture };
/** The contract's default rate (SGD 0.01): REQUEST leaves compile out. */
const REQUEST_RATE = 0.01;

function setup(runId = 7) {
  const lab = new FakeLab();
  let clock = 0;
  const run = new RunState(lab.api, () => clock);
  run.connect();
  let release: () => void = () => {};
  const gate = new Promise<void>((r) => (release = r));
  lab.on('startRun', async () => {
    await gate;
    return { runId };
  });
  return { lab, run, release, tick: (ms: number) => (clock += ms) };
}

const started = (runId = 7): RunEvent => ({ type: 'started', runId, backend: 'wasm', epochs: 2, batchesPerEpoch: 10, trainExamples: 1280, validationExamples: 100 });
const progress = (epoch: number, firstBatch: number, losses: number[], runId = 7): RunEvent => ({
  type: 'progress',
  runId,
  epoch,
  batch: firstBatch + losses.length - 1,
  batchesPerEpoch: 10,
  firstBatch,
  losses,
  acc: 0.5,
});
const epochEnd = (epoch: number, seconds: number): RunEvent => ({ type: 'epoch', runId: 7, epoch, loss: 1 / epoch, acc: 0.7 + epoch / 100, val_loss: 0.9 / epoch, val_acc: 0.8 + epoch / 100, seconds });

describe('RunState', () => {
  it('buffers events that arrive before startRun answers, then reduces them', async () => {
    const { lab, run, release } = setup();
    const starting = run.start(REQUEST);
    expect(run.phase).toBe('starting');
    lab.emit(started());
    lab.emit(progress(1, 1, [2.3, 2.2]));
    lab.emit(progress(1, 1, [9, 9], 99)); // another run: ignored
    release();
    expect(await starting).toBe(7);
    expect(lab.callsOf('startRun')).toEqual([REQUEST]);
    expect(run.runId).toBe(7);
    expect(run.phase).toBe('running');
    expect(run.backend).toBe('wasm');
    expect(run.batchPoints).toEqual([
      { x: 0.1, y: 2.3 },
      { x: 0.2, y: 2.2 },
    ]);
    expect(run.doneBatches).toBe(2);
    expect(run.totalBatches).toBe(20);
  });

  it('reduces progress, epochs and finished into rows, curves, progress and ETA', async () => {
    const { lab, run, release, tick } = setup();
    release();
    await run.start(REQUEST);
    lab.emit(started());
    expect(run.fraction).toBe(0);
    expect(run.etaSeconds).toBeNull();

    tick(1000);
    lab.emit(progress(1, 1, [2.3, 2.1, 1.9, 1.8, 1.7]));
    expect(run.epoch).toBe(1);
    expect(run.batch).toBe(5);
    expect(run.fraction).toBe(0.25);
    // 5 batches in 1 s → 15 left at 5/s.
    expect(run.etaSeconds).toBeCloseTo(3);
    expect(run.lastBatchLoss).toBe(1.7);
    expect(run.revision).toBeGreaterThan(0);

    tick(1000);
    lab.emit(progress(1, 6, [1.6, 1.5, 1.4, 1.3, 1.2]));
    lab.emit(epochEnd(1, 2.5));
    expect(run.rows).toHaveLength(1);
    expect(run.rows[0]).toEqual({ epoch: 1, loss: 1, acc: 0.71, val_loss: 0.9, val_acc: 0.81, seconds: 2.5 });
    expect(run.curves.loss).toEqual([{ x: 1, y: 1 }]);
    expect(run.curves.valAcc).toEqual([{ x: 1, y: 0.81 }]);
    expect(run.fraction).toBe(0.5);
    // Once an epoch is known its time drives the ETA: one epoch of 2.5 s left.
    expect(run.etaSeconds).toBeCloseTo(2.5);

    tick(500);
    lab.emit(progress(2, 1, [1.1, 1.0, 0.9, 0.8, 0.7]));
    expect(run.epoch).toBe(2);
    expect(run.doneBatches).toBe(15);
    expect(run.etaSeconds).toBeCloseTo(1.25);
    expect(run.batchPoints).toHaveLength(15);
    expect(run.batchPoints.at(-1)).toEqual({ x: 1.5, y: 0.7 });

    // A schedule's change at epoch 2's start: the rate curve steps there.
    lab.emit({ type: 'learningRate', runId: 7, epoch: 2, batch: 0, learningRate: 0.005 });
    lab.emit(epochEnd(2, 2.0));
    expect(run.curves.lr).toEqual([{ x: 1, y: REQUEST_RATE }, { x: 2, y: 0.005 }]);
    const evaluation = sampleEvaluation();
    lab.emit({ type: 'finished', runId: 7, status: 'completed', reason: null, evaluation });
    expect(run.phase).toBe('completed');
    expect(run.finished).toBe(true);
    expect(run.active).toBe(false);
    expect(run.rows.map((r) => r.epoch)).toEqual([1, 2]);
    expect(run.curves.loss).toEqual([{ x: 1, y: 1 }, { x: 2, y: 0.5 }]);
    expect(run.fraction).toBe(1);
    expect(run.etaSeconds).toBe(0);
    expect(run.evaluation).toEqual(evaluation);
  });

  it('pauses, logs a learning-rate change and resumes; ETA ignores the pause', async () => {
    const { lab, run, release, tick } = setup();
    release();
    await run.start(REQUEST);
    lab.emit(started());
    tick(1000);
    lab.emit(progress(1, 1, [2, 2]));

    await run.pause();
    expect(lab.callsOf('pauseRun')).toEqual([{ runId: 7 }]);
    expect(run.phase).toBe('running'); // the event decides
    lab.emit({ type: 'paused', runId: 7, epoch: 1, batch: 2 });
    expect(run.phase).toBe('paused');

    expect(await run.setLearningRate(0.005)).toBe(true);
    expect(lab.callsOf('setLearningRate')).toEqual([{ runId: 7, learningRate: 0.005 }]);
    lab.emit({ type: 'learningRate', runId: 7, epoch: 1, batch: 2, learningRate: 0.005 });
    expect(run.learningRate).toBe(0.005);

    tick(60_000); // a long pause
    await run.resume();
    lab.emit({ type: 'resumed', runId: 7, epoch: 1, batch: 2 });
    expect(run.phase).toBe('running');
    expect(run.log.map((l) => l.kind)).toEqual(['pause', 'learningRate', 'resume']);
    expect(run.log[1]).toMatchObject({ kind: 'learningRate', learningRate: 0.005, epoch: 1, batch: 2 });

    tick(1000);
    lab.emit(progress(1, 3, [1.9, 1.8]));
    // 4 batches in 2 active seconds (the minute paused does not count) → 16 left at 2/s.
    expect(run.elapsedSeconds).toBeCloseTo(2);
    expect(run.etaSeconds).toBeCloseTo(8);
  });

  it('stops, and refuses commands that make no sense in the phase', async () => {
    const { lab, run, release } = setup();
    expect(await run.setLearningRate(0.1)).toBe(false);
    release();
    await run.start(REQUEST);
    lab.emit(started());
    expect(await run.setLearningRate(0.1)).toBe(false); // only while paused
    await run.stop();
    expect(run.phase).toBe('stopping');
    expect(lab.callsOf('stopRun')).toEqual([{ runId: 7 }]);
    lab.emit({ type: 'finished', runId: 7, status: 'stopped', reason: 'stopped by the user', evaluation: null });
    expect(run.phase).toBe('stopped');
    expect(run.reason).toBe('stopped by the user');
  });

  it('reports a failed start and a failed command', async () => {
    const lab = new FakeLab();
    lab.on('startRun', () => {
      throw new Error('invalid startRun payload: train.batchSize: too small');
    });
    const run = new RunState(lab.api, () => 0);
    run.connect();
    expect(await run.start(REQUEST)).toBeNull();
    expect(run.phase).toBe('idle');
    expect(run.error).toMatch(/Could not start: invalid startRun payload/);
  });

  it('follows a run already in progress and unsubscribes on disconnect', async () => {
    const lab = new FakeLab();
    lab.on('listRuns', () => [sampleRun(3, { status: 'running' })]);
    lab.on('getRun', () =>
      sampleRun(3, {
        status: 'running',
        epochs: [{ epoch: 1, loss: 0.5, acc: 0.8, val_loss: 0.4, val_acc: 0.85, seconds: 5 }],
        batchLosses: [{ epoch: 2, batch: 100, loss: 0.45 }],
        evaluation: null,
      }),
    );
    const run = new RunState(lab.api, () => 0);
    run.connect();
    expect(await run.follow()).toBe(true);
    expect(run.runId).toBe(3);
    expect(run.phase).toBe('running');
    expect(run.batchesPerEpoch).toBe(469);
    expect(run.epoch).toBe(2);
    expect(run.doneBatches).toBe(569);
    expect(run.rows).toHaveLength(1);
    lab.emit(epochEnd(2, 5) as RunEvent & { runId: number });
    expect(run.rows).toHaveLength(1); // event of run 7, not ours
    lab.emit({ ...epochEnd(2, 5), runId: 3 } as RunEvent);
    expect(run.rows).toHaveLength(2);
    expect(lab.listenerCount()).toBe(1);
    run.disconnect();
    expect(lab.listenerCount()).toBe(0);
    await flush();
  });
});
