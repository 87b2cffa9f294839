// The preload's logic, free of the electron import so it can be tested with fakes.
import type { ContextBridge, IpcRenderer } from 'electron';
import type { EventName, EventPayloads, Unsubscribe } from '../../src-shared/api.ts';
import type { Transport } from '../../src-shared/create-api.ts';
import { EVENT_CHANNEL, INVOKE_CHANNEL, PRELOAD_KEY } from '../../src-shared/ipc-channels.ts';

export function createIpcTransport(ipc: Pick<IpcRenderer, 'invoke' | 'on' | 'removeListener'>): Transport {
  return {
    async invoke(command, payload) {
      const reply = (await ipc.invoke(INVOKE_CHANNEL, command, payload)) as { ok: boolean; result?: unknown; error?: string };
      if (!reply.ok) throw new Error(reply.error ?? 'the lab refused the request');
      return reply.result;
    },
    subscribe<E extends EventName>(event: E, listener: (payload: EventPayloads[E]) => void): Unsubscribe {
      // The IPC event object (with its sender) never reaches the page.
      const wrapped = (_e: unknown, name: unknown, payload: unknown) => {
        if (name === event) listener(payload as EventPayloads[E]);
      };
      ipc.on(EVENT_CHANNEL, wrapped);
      return () => {
        ipc.removeListener(EVENT_CHANNEL, wrapped);
      };
    },
  };
}

export function exposeTransport(bridge: Pick<ContextBridge, 'exposeInMainWorld'>, ipc: Pick<IpcRenderer, 'invoke' | 'on' | 'removeListener'>): void {
  const transport = createIpcTransport(ipc);
  bridge.exposeInMainWorld(PRELOAD_KEY, { invoke: transport.invoke, subscribe: transport.subscribe });
}
