// What the real backend showed: stored runs reopened with their log, a learning rate set while
// paused that only applies on resume, the socket dropping and coming back, short estimates.
import { render, screen } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import { lastLearningRate, type RunLogEntry } from '../../src-shared/runs.ts';
import { PRESETS } from '../../src-shared/presets.ts';
import App from '../../src-renderer/App.svelte';
import { formatSeconds } from '../../src-renderer/lib/format.ts';
import { CONNECTION_EVENT } from '../../src-renderer/lib/transport/pick-transport.ts';
import { createLab } from '../../src-renderer/state/lab.svelte.ts';
import { RunState } from '../../src-renderer/state/run-state.svelte.ts';
import { SystemState } from '../../src-renderer/state/system-state.svelte.ts';
import { VIEW_IDS } from '../../src-renderer/views/registry.ts';
import { FakeLab, flush, sampleRun } from './fake-lab.ts';

/** The store's own entries, as getRun returns them from a real lab. */
const STORED_LOG: RunLogEntry[] = [
  { at: '2025-01-01T00:00:10Z', epoch: 1, batch: 40, kind: 'pause' },
  { at: '2025-01-01T00:00:20Z', epoch: 1, batch: 40, kind: 'learningRate', learningRate: 0.05 },
  { at: '2025-01-01T00:00:20Z', epoch: 1, batch: 40, kind: 'resume' },
];

describe('a stored run reopened', () => {
  it('reads the learning rate the log last set', () => {
    expect(lastLearningRate(STORED_LOG)).toBe(0.05);
    expect(lastLearningRate([...STORED_LOG, { at: '', epoch: 2, batch: 1, kind: 'learningRate', learningRate: 1e-4 }])).toBe(0.0001);
    // An old entry whose number was lost (NaN) is skipped, not taken.
    expect(lastLearningRate([...STORED_LOG, { at: '', epoch: 2, batch: 1, kind: 'learningRate', learningRate: NaN }])).toBe(0.05);
    expect(lastLearningRate([])).toBeNull();
  });

  it('open() hydrates a stopped run with its log; a missing run says why', async () => {
    const lab = new FakeLab();
    lab.on('getRun', (p) => {
      const runId = (p as { runId: number }).runId;
      if (runId === 99) throw new Error('run 99 does not exist');
      return sampleRun(runId, { status: 'stopped', log: STORED_LOG });
    });
    const run = new RunState(lab.api, () => 0);
    expect(await run.open(3)).toBe(true);
    expect(run.runId).toBe(3);
    expect(run.phase).toBe('stopped');
    expect(run.log).toHaveLength(3);
    expect(run.learningRate).toBe(0.05);
    expect(await run.open(99)).toBe(false);
    expect(run.error).toBe('Could not open run #99: run 99 does not exist');
  });

  it('a learning rate set while paused is pending until the trainer applies it on resume', async () => {
    const lab = new FakeLab();
    lab.on('startRun', () => ({ runId: 7 }));
    const run = new RunState(lab.api, () => 0);
    run.connect();
    await run.start({ architecture: PRESETS[0]!.architecture });
    lab.emit({ type: 'started', runId: 7, backend: 'wasm', epochs: 2, batchesPerEpoch: 10, trainExamples: 1280, validationExamples: 100 });
    lab.emit({ type: 'paused', runId: 7, epoch: 1, batch: 3 });
    expect(await run.setLearningRate(0.05)).toBe(true);
    expect(run.pendingLearningRate).toBe(0.05);
    lab.emit({ type: 'learningRate', runId: 7, epoch: 1, batch: 3, learningRate: 0.05 });
    lab.emit({ type: 'resumed', runId: 7, epoch: 1, batch: 3 });
    expect(run.pendingLearningRate).toBeNull();
    expect(run.learningRate).toBe(0.05);
    // Live entries are the store's entries, so a reload reads the same.
    expect(run.log.map(({ at: _at, ...entry }) => entry)).toEqual(STORED_LOG.map(({ at: _at, ...entry }) => ({ ...entry, batch: 3 })));
  });

  it('resync() reads the run again after a reconnect (it died with the server)', async () => {
    const lab = new FakeLab();
    lab.on('startRun', () => ({ runId: 7 }));
    const run = new RunState(lab.api, () => 0);
    run.connect();
    await run.start({ architecture: PRESETS[0]!.architecture });
    lab.emit({ type: 'started', runId: 7, backend: 'wasm', epochs: 2, batchesPerEpoch: 10, trainExamples: 1280, validationExamples: 100 });
    lab.on('getRun', () => sampleRun(7, { status: 'interrupted', statusReason: 'the lab stopped while this run was training' }));
    await run.resync();
    expect(run.phase).toBe('failed');
    expect(run.reason).toMatch(/lab stopped/);
  });
});

describe('the connection to the lab', () => {
  it('follows the bridge socket; when it comes back the lab is asked again', async () => {
    const lab = new FakeLab();
    const system = new SystemState(lab.api);
    const target = new EventTarget();
    let reconnects = 0;
    const stop = system.watchConnection(() => reconnects++, target);
    const say = (up: boolean) => target.dispatchEvent(new CustomEvent(CONNECTION_EVENT, { detail: up }));
    say(true);
    expect(system.connected).toBe(true);
    expect(reconnects).toBe(0);
    say(false);
    expect(system.connected).toBe(false);
    say(true);
    expect(reconnects).toBe(1);
    await flush();
    expect(lab.callsOf('getSystemInfo')).toHaveLength(1);
    stop();
    say(false);
    expect(system.connected).toBe(true);
  });

  it('the shell shows a banner while the socket is down', async () => {
    const fake = new FakeLab();
    render(App, { props: { lab: createLab(fake.api, VIEW_IDS, null) } });
    await flush();
    expect(screen.queryByTestId('connection-lost')).toBeNull();
    window.dispatchEvent(new CustomEvent(CONNECTION_EVENT, { detail: false }));
    await flush();
    expect(screen.getByTestId('connection-lost').textContent).toMatch(/reconnecting/);
    window.dispatchEvent(new CustomEvent(CONNECTION_EVENT, { detail: true }));
    await flush();
    expect(screen.queryByTestId('connection-lost')).toBeNull();
  });
});

describe('formatSeconds', () => {
  it('keeps a decimal for short times (an epoch on a subsample)', () => {
    expect(formatSeconds(0.43)).toBe('0.4s');
    expect(formatSeconds(7.25)).toBe('7.3s');
    expect(formatSeconds(75)).toBe('1m 15s');
  });
});
