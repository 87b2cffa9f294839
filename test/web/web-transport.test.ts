// The browser transport with injected fetch and WebSocket: commands as POSTs, errors with the
// bridge's message, reconnect with backoff that keeps every subscription.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CommandError, createWebTransport } from '../../src-renderer/lib/transport/web-transport.ts';

class FakeSocket {
  static all: FakeSocket[] = [];
  onopen: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: ((ev: unknown) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  constructor(readonly url: string) {
    FakeSocket.all.push(this);
  }
  close() {
    this.onclose?.({});
  }
}

beforeEach(() => {
  FakeSocket.all = [];
  vi.useFakeTimers();
});
afterEach(() => vi.useRealTimers());

describe('web transport', () => {
  it('posts commands as JSON and unwraps the answer or the error', async () => {
    const requests: [string, RequestInit][] = [];
    const answers = [new Response(JSON.stringify({ ok: true, result: [1] })), new Response(JSON.stringify({ ok: false, error: 'invalid stopRun payload: runId' }), { status: 400 }), new Response('nope', { status: 401 })];
    const fetch = (async (url: string, init: RequestInit) => (requests.push([url, init]), answers.shift()!)) as unknown as typeof globalThis.fetch;
    const t = createWebTransport({ baseUrl: 'http://127.0.0.1:9', fetch, WebSocket: FakeSocket });
    expect(await t.invoke('listRuns', {})).toEqual([1]);
    expect(requests[0]).toEqual(['http://127.0.0.1:9/api/listRuns', expect.objectContaining({ method: 'POST', body: '{}' })]);
    const bad = await t.invoke('stopRun', { runId: 'x' }).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(CommandError);
    expect(bad).toMatchObject({ status: 400, message: 'invalid stopRun payload: runId' });
    await expect(t.invoke('listRuns', undefined)).rejects.toThrow(/not signed in/);
    expect(requests[2]![1].body).toBeUndefined();
  });

  it('opens one socket on the first subscription and reconnects with growing delays', () => {
    const changes: boolean[] = [];
    const t = createWebTransport({ baseUrl: 'https://lab.example:8443', fetch: (() => {}) as never, WebSocket: FakeSocket, onConnectionChange: (c) => changes.push(c) });
    expect(FakeSocket.all).toHaveLength(0);
    const seen: unknown[] = [];
    t.subscribe('onRunEvent', (e) => seen.push(e));
    t.subscribe('onRunEvent', () => {});
    expect(FakeSocket.all.map((s) => s.url)).toEqual(['wss://lab.example:8443/ws']);
    FakeSocket.all[0]!.onopen?.({});
    expect(t.connected).toBe(true);

    // Dropped, then three failed attempts: 250, 500, 1000 ms apart.
    FakeSocket.all[0]!.close();
    for (const [i, delay] of [250, 500, 1000].entries()) {
      vi.advanceTimersByTime(delay - 1);
      expect(FakeSocket.all).toHaveLength(i + 1);
      vi.advanceTimersByTime(1);
      expect(FakeSocket.all).toHaveLength(i + 2);
      if (i < 2) FakeSocket.all.at(-1)!.close();
    }
    const back = FakeSocket.all.at(-1)!;
    back.onopen?.({});
    back.onmessage?.({ data: JSON.stringify({ event: 'onRunEvent', payload: { type: 'paused', runId: 1, epoch: 1, batch: 1 } }) });
    back.onmessage?.({ data: 'not json' });
    expect(seen).toEqual([{ type: 'paused', runId: 1, epoch: 1, batch: 1 }]);
    expect(changes).toEqual([true, false, true]);

    // A successful connection resets the backoff.
    back.close();
    vi.advanceTimersByTime(250);
    expect(FakeSocket.all).toHaveLength(5);

    t.close();
    vi.advanceTimersByTime(10_000);
    expect(FakeSocket.all).toHaveLength(5);
  });
});
