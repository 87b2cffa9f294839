import { describe, expect, it } from 'vitest';
import type { LabApi } from '../../src-shared/api.ts';
import { CreateSweepSchema, type SweepDetail, type SweepItem } from '../../src-shared/sweeps.ts';
import { PRESETS } from '../../src-shared/presets.ts';
import { parseGridText, SweepsState } from '../../src-renderer/state/sweeps-state.svelte.ts';
import { TrainSettings } from '../../src-renderer/state/train-settings.svelte.ts';

const item = (id: number, position: number, state: SweepItem['state']): SweepItem => ({ id, position, params: { lr: id / 100 }, repeat: 0, state, runId: null, attempts: 0, note: null, run: null });

function detail(items: SweepItem[]): SweepDetail {
  return { id: 3, name: 'sweep-3', status: 'active', createdAt: '2026-12-04T00:00:00Z', fields: ['lr'], metric: 'test_acc', parallel: 1, counts: { total: items.length, queued: items.filter((i) => i.state === 'queued').length, running: 0, done: 0, failed: 0, cancelled: 0 }, items } as SweepDetail;
}

/** A LabApi that records the sweep commands it gets and answers reorderSweep as the store would. */
function recordingApi(start: SweepDetail) {
  const calls: { command: string; payload: unknown }[] = [];
  let current = start;
  const api = {
    getSweep: async () => current,
    listSweeps: async () => [current],
    createSweep: async (payload: unknown) => {
      calls.push({ command: 'createSweep', payload });
      return { sweepId: 3 };
    },
    reorderSweep: async (payload: { sweepId: number; itemIds: number[] }) => {
      calls.push({ command: 'reorderSweep', payload });
      const queued = current.items.filter((i) => i.state === 'queued');
      const slots = queued.map((i) => i.position).sort((a, b) => a - b);
      const byId = new Map(current.items.map((i) => [i.id, i]));
      const moved = payload.itemIds.map((id, k) => ({ ...(byId.get(id) as SweepItem), position: slots[k] as number }));
      current = { ...current, items: [...current.items.filter((i) => i.state !== 'queued'), ...moved] };
      return current;
    },
  } as unknown as LabApi;
  return { api, calls };
}

describe('parseGridText', () => {
  it('reads value lists and, for random search, ranges with log and int', () => {
    expect(parseGridText('lr=0.1, 0.01\nactivation@1=relu,tanh\npresent@2=true,false')).toEqual([
      { field: 'lr', values: [0.1, 0.01] },
      { field: 'activation@1', values: ['relu', 'tanh'] },
      { field: 'present@2', values: [true, false] },
    ]);
    expect(parseGridText('lr=0.0001:0.1:log\nunits@1=32:512:int\nmomentum=0:0.9')).toEqual([
      { field: 'lr', min: 0.0001, max: 0.1, scale: 'log', integer: false },
      { field: 'units@1', min: 32, max: 512, scale: 'linear', integer: true },
      { field: 'momentum', min: 0, max: 0.9, scale: 'linear', integer: false },
    ]);
    expect(() => parseGridText('lr 0.1')).toThrow(/"lr 0.1" is not FIELD=V1,V2/);
  });
});

describe('SweepsState', () => {
  it('queues a seeded random search with ranges that the contract accepts', async () => {
    const { api, calls } = recordingApi(detail([]));
    const state = new SweepsState(api);
    state.searchKind = 'random';
    state.gridText = 'lr=0.0001:0.1:log\nunits@1=64,128';
    state.randomCount = 6;
    state.randomSeed = 7;
    const base = new TrainSettings().request(PRESETS[0]!.architecture);
    expect(await state.create(base)).toBe(3);
    const sent = calls.find((c) => c.command === 'createSweep')?.payload as { search: unknown };
    expect(sent.search).toEqual({ kind: 'random', count: 6, seed: 7, params: [{ field: 'lr', min: 0.0001, max: 0.1, scale: 'log', integer: false }, { field: 'units@1', values: [64, 128] }] });
    expect(CreateSweepSchema.safeParse(sent).success).toBe(true);
  });

  it('moves a queued item earlier or later by sending the whole queued order, and ignores moves past either end', async () => {
    const start = detail([item(1, 1, 'running'), item(2, 2, 'queued'), item(3, 3, 'queued'), item(4, 4, 'queued')]);
    const { api, calls } = recordingApi(start);
    const state = new SweepsState(api);
    await state.open(3);
    expect(state.queued.map((i) => i.id)).toEqual([2, 3, 4]);
    await state.move(4, -1);
    expect(calls.at(-1)).toEqual({ command: 'reorderSweep', payload: { sweepId: 3, itemIds: [2, 4, 3] } });
    expect(state.queued.map((i) => i.id)).toEqual([2, 4, 3]);
    await state.move(2, 1);
    expect(state.queued.map((i) => i.id)).toEqual([4, 2, 3]);
    const sent = calls.length;
    await state.move(4, -1); // already first
    await state.move(3, 1); // already last
    await state.move(1, 1); // running, not queued
    expect(calls.length).toBe(sent);
  });
});
