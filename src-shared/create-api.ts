// Builds the typed LabApi over any transport (Electron preload, WebSocket, in-process fake).
import { COMMAND_NAMES, EVENT_NAMES, type EventName, type EventPayloads, type LabApi, type Unsubscribe } from './api.ts';

export interface Transport {
  invoke(command: string, payload: unknown): Promise<unknown>;
  subscribe<E extends EventName>(event: E, listener: (payload: EventPayloads[E]) => void): Unsubscribe;
}

export function createApi(transport: Transport): LabApi {
  const api: Record<string, unknown> = {};
  for (const name of COMMAND_NAMES) api[name] = (input: unknown) => transport.invoke(name, input);
  for (const name of EVENT_NAMES) {
    api[name] = (listener: (payload: EventPayloads[typeof name]) => void) => transport.subscribe(name, listener);
  }
  return api as LabApi;
}
