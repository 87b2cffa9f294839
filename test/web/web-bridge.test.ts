// The web bridge on 127.0.0.1: auth, schema errors, the typed client, events to two clients,
// reconnect after a dropped socket.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { COMMAND_NAMES, createApi, findPreset, type RunEvent } from '../../src-shared/index.ts';
import { HANDLERS } from '../../src-main/lab/service/dispatch.ts';
import { startWebBridge, type WebBridge } from '../../src-main/web/web-bridge.ts';
import { createWebTransport } from '../../src-renderer/lib/transport/web-transport.ts';
import { FakeLabService } from './fake-lab-service.ts';

const service = new FakeLabService();
let bridge: WebBridge;
let base = '';
const arch = findPreset('keras-mlp')!.architecture;

beforeAll(async () => {
  bridge = await startWebBridge({ service, port: 0 });
  base = `http://127.0.0.1:${bridge.port}`;
});
afterAll(async () => {
  await bridge.close();
});

const auth = () => ({ Authorization: `Bearer ${bridge.token}` });
const post = (command: string, body: unknown, headers: Record<string, string> = auth()) =>
  fetch(`${base}/api/${command}`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) });

function client(onConnectionChange?: (c: boolean) => void) {
  const transport = createWebTransport({
    baseUrl: base,
    headers: auth(),
    WebSocket: WebSocket as never,
    socketOptions: { headers: auth() },
    ...(onConnectionChange ? { onConnectionChange } : {}),
  });
  return { transport, api: createApi(transport) };
}

describe('web bridge', () => {
  it('has a handler for every command of the contract', () => {
    expect(Object.keys(HANDLERS).sort()).toEqual([...COMMAND_NAMES].sort());
  });

  it('binds loopback and prints a URL with a long random token', () => {
    expect(bridge.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{64}$/);
  });

  it('refuses a non-loopback host unless allowed', async () => {
    await expect(startWebBridge({ service, host: '0.0.0.0', port: 0 })).rejects.toThrow(/refusing to listen on 0\.0\.0\.0/);
  });

  it('answers 401 without a token or with a wrong one, on every route', async () => {
    expect((await fetch(`${base}/`)).status).toBe(401);
    expect((await fetch(`${base}/assets/x.js`)).status).toBe(401);
    expect((await post('listRuns', {}, {})).status).toBe(401);
    expect((await post('listRuns', {}, { Authorization: 'Bearer nope' })).status).toBe(401);
    expect((await fetch(`${base}/?token=${'0'.repeat(64)}`, { redirect: 'manual' })).status).toBe(401);
  });

  it('trades the URL token for an HttpOnly cookie that then works', async () => {
    const first = await fetch(bridge.url, { redirect: 'manual' });
    expect(first.status).toBe(302);
    expect(first.headers.get('location')).toBe('/');
    const cookie = first.headers.get('set-cookie')!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const page = await fetch(`${base}/`, { headers: { Cookie: cookie.split(';')[0]! } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
    const api = await post('listRuns', {}, { Cookie: cookie.split(';')[0]! });
    expect(await api.json()).toEqual({ ok: true, result: [] });
  });

  it('refuses a command from a foreign origin', async () => {
    const res = await post('listRuns', {}, { ...auth(), Origin: 'http://evil.example' });
    expect(res.status).toBe(403);
  });

  it('answers bad payloads with 400 and the schema message, unknown commands with 404', async () => {
    const bad = await post('startRun', { architecture: { inputShape: [784], layers: [{ type: 'dense', units: -3 }] } });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error).toMatch(/layer 1 \(dense\): units must be a positive integer/);
    const notJson = await fetch(`${base}/api/listRuns`, { method: 'POST', headers: auth(), body: '{oops' });
    expect(notJson.status).toBe(400);
    expect((await post('rmRf', {})).status).toBe(404);
    const missing = await post('getRun', { runId: 5 });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ ok: false, error: 'run 5 does not exist' });
    expect((await fetch(`${base}/api/listRuns`, { headers: auth() })).status).toBe(405);
  });

  it('refuses a socket without the token (401) or from a foreign origin (403)', async () => {
    const status = (headers: Record<string, string>) =>
      new Promise<number>((resolve) => {
        const ws = new WebSocket(`ws://127.0.0.1:${bridge.port}/ws`, { headers });
        ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        ws.on('open', () => resolve(101));
        ws.on('error', () => {});
      });
    expect(await status({})).toBe(401);
    expect(await status({ Authorization: 'Bearer wrong' })).toBe(401);
    expect(await status({ ...auth(), Origin: 'http://evil.example' })).toBe(403);
    expect(await status({ ...auth(), Origin: base })).toBe(101);
  });

  it('streams a run to two clients through the typed client', async () => {
    const a = client();
    const b = client();
    const seenA: RunEvent[] = [];
    const seenB: RunEvent[] = [];
    const doneA = new Promise<void>((resolve) => a.api.onRunEvent((e) => (seenA.push(e), e.type === 'finished' && resolve())));
    const doneB = new Promise<void>((resolve) => b.api.onRunEvent((e) => (seenB.push(e), e.type === 'finished' && resolve())));
    await new Promise((r) => setTimeout(r, 200));
    const { runId } = await a.api.startRun({ architecture: arch, train: { epochs: 1 } });
    await Promise.all([doneA, doneB]);
    expect(seenA.map((e) => e.type)).toEqual(['started', 'epoch', 'finished']);
    expect(seenB.map((e) => e.runId)).toEqual([runId, runId, runId]);
    // The schema's defaults were applied on the server side.
    expect((service.calls.at(-1)!.input as { train: { batchSize: number } }).train.batchSize).toBe(128);
    await expect(a.api.getRun({ runId: 99 })).rejects.toThrow('run 99 does not exist');
    a.transport.close();
    b.transport.close();
  });

  it('reconnects after the server drops the socket', async () => {
    const changes: boolean[] = [];
    const c = client((connected) => changes.push(connected));
    const events: RunEvent[] = [];
    c.api.onRunEvent((e) => events.push(e));
    const waitConnected = async (n: number) => {
      for (let i = 0; i < 100 && changes.filter(Boolean).length < n; i++) await new Promise((r) => setTimeout(r, 50));
    };
    await waitConnected(1);
    // Drop every socket the way a restart of the bridge would.
    await bridge.close();
    bridge = await startWebBridge({ service, port: bridge.port, token: bridge.token });
    await waitConnected(2);
    expect(changes).toEqual([true, false, true]);
    service.emit({ type: 'paused', runId: 1, epoch: 1, batch: 1 });
    await new Promise((r) => setTimeout(r, 100));
    expect(events.map((e) => e.type)).toEqual(['paused']);
    c.transport.close();
  });
});
