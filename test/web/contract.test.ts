// The one contract: every command has a handler and a client method, checked by the compiler
// and again at run time; the typed client works over any transport.
import { describe, expect, it } from 'vitest';
import { COMMAND_NAMES, createApi, EVENT_NAMES, type CommandName, type EventName, type EventPayloads, type LabApi, type RunEvent, type Transport } from '../../src-shared/index.ts';
import { HANDLERS } from '../../src-main/lab/service/dispatch.ts';

// Compile-time: a command without a handler, or a client without a method, fails `tsc -b`.
type AssertNever<T extends never> = T;
export type NoMissingHandler = AssertNever<Exclude<CommandName, keyof typeof HANDLERS>>;
export type NoExtraHandler = AssertNever<Exclude<keyof typeof HANDLERS, CommandName>>;
export type NoMissingClientMethod = AssertNever<Exclude<CommandName | EventName, keyof LabApi>>;

function fakeTransport() {
  const calls: [string, unknown][] = [];
  const listeners = new Map<string, Set<(p: unknown) => void>>();
  const transport: Transport = {
    async invoke(command, payload) {
      calls.push([command, payload]);
      return { echoed: command };
    },
    subscribe<E extends EventName>(event: E, listener: (payload: EventPayloads[E]) => void) {
      const set = listeners.get(event) ?? new Set();
      listeners.set(event, set);
      set.add(listener as (p: unknown) => void);
      return () => set.delete(listener as (p: unknown) => void);
    },
  };
  const emit = (event: string, payload: unknown) => listeners.get(event)?.forEach((l) => l(payload));
  return { transport, calls, emit };
}

describe('the contract', () => {
  it('has a handler for every command and nothing else', () => {
    expect(Object.keys(HANDLERS).sort()).toEqual([...COMMAND_NAMES].sort());
    for (const name of COMMAND_NAMES) expect(typeof HANDLERS[name]).toBe('function');
  });

  it('gives the client a method for every command and event', () => {
    const api = createApi(fakeTransport().transport);
    expect(Object.keys(api).sort()).toEqual([...COMMAND_NAMES, ...EVENT_NAMES].sort());
  });

  it('sends each command by name with its payload over the transport', async () => {
    const { transport, calls } = fakeTransport();
    const api = createApi(transport) as unknown as Record<string, (input: unknown) => Promise<unknown>>;
    for (const name of COMMAND_NAMES) expect(await api[name]!({ probe: name })).toEqual({ echoed: name });
    expect(calls).toEqual(COMMAND_NAMES.map((name) => [name, { probe: name }]));
  });

  it('delivers events until unsubscribed', () => {
    const { transport, emit } = fakeTransport();
    const api = createApi(transport);
    const seen: RunEvent[] = [];
    const off = api.onRunEvent((e) => seen.push(e));
    const event: RunEvent = { type: 'paused', runId: 3, epoch: 1, batch: 4 };
    emit('onRunEvent', event);
    off();
    emit('onRunEvent', event);
    expect(seen).toEqual([event]);
  });
});
