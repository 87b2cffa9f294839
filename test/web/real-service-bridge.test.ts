// The bridge over the real LabService: a short training run streamed over the WebSocket.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createApi, findPreset, type RunEvent } from '../../src-shared/index.ts';
import { LabService } from '../../src-main/lab/service/lab-service.ts';
import { startWebBridge, type WebBridge } from '../../src-main/web/web-bridge.ts';
import { createWebTransport } from '../../src-renderer/lib/transport/web-transport.ts';

const home = mkdtempSync(join(tmpdir(), 'layerlab-bridge-'));
let service: LabService;
let bridge: WebBridge;
beforeAll(async () => {
  service = await LabService.open({ home });
  bridge = await startWebBridge({ service, port: 0 });
});
afterAll(async () => {
  await bridge.close();
  await service.close();
  rmSync(home, { recursive: true, force: true });
});

describe('web bridge over the real lab', () => {
  it('streams a short training run to the client and stores it', async () => {
    const headers = { Authorization: `Bearer ${bridge.token}` };
    const transport = createWebTransport({ baseUrl: `http://127.0.0.1:${bridge.port}`, headers, WebSocket: WebSocket as never, socketOptions: { headers } });
    const api = createApi(transport);
    const events: RunEvent[] = [];
    const finished = new Promise<void>((resolve) => api.onRunEvent((e) => (events.push(e), e.type === 'finished' && resolve())));
    await new Promise((r) => setTimeout(r, 200));
    const { runId } = await api.startRun({ architecture: findPreset('keras-mlp')!.architecture, train: { epochs: 1, trainExamples: 500, testExamples: 200, batchSize: 50 }, backend: 'wasm' });
    await finished;
    const types = events.filter((e) => e.runId === runId).map((e) => e.type);
    expect(types[0]).toBe('started');
    expect(types).toContain('progress');
    expect(types).toContain('epoch');
    expect(types[types.length - 1]).toBe('finished');
    const run = await api.getRun({ runId });
    expect(run).toMatchObject({ status: 'completed', epochsCompleted: 1 });
    transport.close();
  });
});
