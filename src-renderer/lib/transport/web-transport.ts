// The contract over the web bridge: commands as POST /api/<name>, events over one WebSocket
// that reconnects with backoff. The cookie set by the bridge authenticates both.
import type { EventName, EventPayloads, Unsubscribe } from '../../../src-shared/api.ts';
import type { Transport } from '../../../src-shared/create-api.ts';

interface SocketLike {
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: unknown) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  close(): void;
}

export interface WebTransportOptions {
  /** Origin of the bridge, e.g. http://127.0.0.1:8765 (defaults to the page's). */
  baseUrl?: string;
  fetch?: typeof fetch;
  WebSocket?: new (url: string, options?: unknown) => SocketLike;
  /** Extra headers (a Bearer token for scripts and tests; the page uses the cookie). */
  headers?: Record<string, string>;
  /** Passed to the WebSocket constructor (Node's ws takes headers here). */
  socketOptions?: unknown;
  onConnectionChange?: (connected: boolean) => void;
}

export class CommandError extends Error {
  constructor(
    readonly command: string,
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'CommandError';
  }
}

export interface WebTransport extends Transport {
  close(): void;
  readonly connected: boolean;
}

export function createWebTransport(options: WebTransportOptions = {}): WebTransport {
  const base = options.baseUrl ?? globalThis.location.origin;
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  const Socket = options.WebSocket ?? (globalThis.WebSocket as unknown as new (url: string) => SocketLike);
  const listeners = new Map<EventName, Set<(payload: never) => void>>();
  let socket: SocketLike | null = null;
  let connected = false;
  let closed = false;
  let retry = 0;
  let timer: ReturnType<typeof setTimeout> | null = null;

  const setConnected = (value: boolean) => {
    if (connected !== value) {
      connected = value;
      options.onConnectionChange?.(value);
    }
  };

  function connect(): void {
    if (closed || socket) return;
    const url = `${base.replace(/^http/, 'ws')}/ws`;
    const ws = options.socketOptions === undefined ? new Socket(url) : new Socket(url, options.socketOptions);
    socket = ws;
    ws.onopen = () => {
      retry = 0;
      setConnected(true);
    };
    ws.onmessage = (ev) => {
      let message: { event?: EventName; payload?: unknown };
      try {
        message = JSON.parse(String(ev.data)) as typeof message;
      } catch {
        return;
      }
      if (!message.event) return;
      for (const listener of listeners.get(message.event) ?? []) (listener as (p: unknown) => void)(message.payload);
    };
    ws.onerror = () => {};
    ws.onclose = () => {
      socket = null;
      setConnected(false);
      if (closed || listenerCount() === 0) return;
      // Back off up to 5 s; the bridge may be restarting.
      const delay = Math.min(5000, 250 * 2 ** retry++);
      timer = setTimeout(connect, delay);
    };
  }

  const listenerCount = () => [...listeners.values()].reduce((n, s) => n + s.size, 0);

  return {
    get connected() {
      return connected;
    },
    async invoke(command, payload) {
      const res = await doFetch(`${base}/api/${encodeURIComponent(command)}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...options.headers },
        credentials: 'same-origin',
        ...(payload === undefined ? {} : { body: JSON.stringify(payload) }),
      });
      let body: { ok?: boolean; result?: unknown; error?: string };
      try {
        body = (await res.json()) as typeof body;
      } catch {
        throw new CommandError(command, res.status, res.status === 401 ? 'not signed in to this lab: open the URL that layerlab serve printed' : `the lab answered ${res.status}`);
      }
      if (!res.ok || !body.ok) throw new CommandError(command, res.status, body.error ?? `the lab answered ${res.status}`);
      return body.result;
    },
    subscribe<E extends EventName>(event: E, listener: (payload: EventPayloads[E]) => void): Unsubscribe {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(listener as (payload: never) => void);
      connect();
      return () => {
        set.delete(listener as (payload: never) => void);
      };
    },
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
      socket?.close();
    },
  };
}
