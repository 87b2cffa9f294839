// Every command's payload schema, through the real bridge: a malformed payload is a 400 with the
// schema's message and never reaches the service.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findPreset, isCommandName, type CommandName } from '../../src-shared/index.ts';
import { MAX_CLASSES } from '../../src-shared/dataset-shape.ts';
import type { LabServiceLike } from '../../src-main/lab/service/lab-service-types.ts';
import { startWebBridge, type WebBridge } from '../../src-main/web/web-bridge.ts';
import { FakeLabService } from './fake-lab-service.ts';

// Records every command that reaches the service: none may.
const reached: string[] = [];
const service = new Proxy(new FakeLabService(), {
  get(target, key, receiver) {
    const value: unknown = Reflect.get(target, key, receiver);
    if (!isCommandName(key) || typeof value !== 'function') return value;
    return (...args: unknown[]) => {
      reached.push(key);
      return (value as (...a: unknown[]) => unknown).apply(target, args);
    };
  },
}) as LabServiceLike;
let bridge: WebBridge;
const arch = findPreset('keras-mlp')!.architecture;
const image = Array.from({ length: 784 }, () => 0);

beforeAll(async () => {
  bridge = await startWebBridge({ service, port: 0 });
});
afterAll(() => bridge.close());

const BAD: [CommandName, unknown, RegExp][] = [
  ['getSystemInfo', { verbose: true }, /unrecognized key|invalid/i],
  ['listDatasets', 'all', /invalid/i],
  ['listDatasets', [1], /invalid/i],
  ['estimateEpoch', {}, /architecture/],
  ['estimateEpoch', { architecture: arch, train: { epochs: -1 } }, /train\.epochs/],
  ['startRun', { architecture: { inputShape: [784], layers: [] } }, /layer/i],
  ['startRun', { architecture: arch, dataset: 'MNIST' }, /dataset names/],
  ['startRun', { architecture: arch, backend: 42 }, /backend/],
  ['startRun', [arch], /expected object/i],
  ['stopRun', null, /expected object/i],
  ['stopRun', { runId: Number.MAX_SAFE_INTEGER + 2 }, /runId/],
  ['pauseRun', { runId: 0 }, /runId/],
  ['pauseRun', { id: 1 }, /runId|unrecognized/i],
  ['resumeRun', { runId: 'latest' }, /runId/],
  ['resumeRun', { runId: 1, force: true }, /unrecognized key/i],
  ['setLearningRate', { runId: 1, learningRate: 11 }, /learningRate/],
  ['setLearningRate', { runId: 1, learningRate: '0.1' }, /learningRate/],
  ['listRuns', { limit: 10_001 }, /limit/],
  ['listRuns', { search: 'x'.repeat(201) }, /search/],
  ['getRun', {}, /runId/],
  ['updateRun', { runId: 1, name: '' }, /name/],
  ['updateRun', { runId: 1, tags: Array.from({ length: 21 }, (_, i) => `t${i}`) }, /tags/],
  ['deleteRun', { runId: -5 }, /runId/],
  ['deleteRun', 'all', /expected object/i],
  ['exportRun', { runId: 1 }, /format/],
  ['getEvaluation', { runId: null }, /runId/],
  ['predict', { runId: 1, images: [image.slice(0, 3)] }, /784 values/],
  ['predict', { runId: 1, images: [image], checkpoint: { kind: 'epoch' } }, /epoch/],
  ['getTestImages', { indices: [1.5] }, /indices/],
  ['getTestImages', { indices: Array.from({ length: 1001 }, (_, i) => i) }, /indices/],
  ['getMisclassified', { runId: 1, predictedLabel: -1 }, /predictedLabel/],
  ['compareRuns', { runIds: [1] }, /at least 2 runs/],
  ['compareRuns', { runIds: [1, 1] }, /each run once/],
  ['compareRuns', { runIds: Array.from({ length: 11 }, (_, i) => i + 1) }, /at most 10/],
  ['comparePredictions', { runA: 1 }, /runB/],
  ['comparePredictions', { runA: 1, runB: 2, trueLabel: MAX_CLASSES }, /trueLabel/],
  ['exportRuns', { runIds: [] }, /runIds/],
  ['exportRuns', { runIds: [1], format: 'json' }, /format/],
  ['exportModel', { runId: 1, checkpoint: { kind: 'latest' } }, /checkpoint|kind/],
  ['evaluateCheckpoint', { runId: 1 }, /checkpoint/],
  ['evaluateCheckpoint', { runId: 1, checkpoint: { kind: 'epoch', epoch: 0 } }, /epoch/],
];

describe('payload schemas over the bridge', () => {
  it('lets a valid payload through (the probe works)', async () => {
    const res = await fetch(`http://127.0.0.1:${bridge.port}/api/listRuns`, { method: 'POST', headers: { Authorization: `Bearer ${bridge.token}` }, body: '{}' });
    expect(res.status).toBe(200);
    expect(reached.splice(0)).toEqual(['listRuns']);
  });

  it('covers at least 30 bad payloads across at least 15 commands', () => {
    expect(BAD.length).toBeGreaterThanOrEqual(30);
    expect(new Set(BAD.map(([name]) => name)).size).toBeGreaterThanOrEqual(15);
  });

  it.each(BAD)('%s refuses %j', async (command, payload, message) => {
    const res = await fetch(`http://127.0.0.1:${bridge.port}/api/${command}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${bridge.token}` },
      body: JSON.stringify(payload),
    });
    const body = (await res.json()) as { ok: boolean; error: string };
    expect(res.status).toBe(400);
    expect(body.ok).toBe(false);
    expect(body.error).toMatch(new RegExp(`^invalid ${command} payload: `));
    expect(body.error).toMatch(message);
    expect(reached).toEqual([]);
  });
});
