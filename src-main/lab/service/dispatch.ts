// The one handler table: a command name and a raw payload in, the service's answer out.
// Electron IPC and the web bridge both call this, so neither can drift from the contract.
import { COMMAND_NAMES, isCommandName, parseCommandInput, type CommandName, type CommandOutput } from '../../../src-shared/index.ts';
import type { LabServiceLike } from './lab-service-types.ts';
import { userErrorStatus } from '../user-errors.ts';

export class UnknownCommandError extends Error {
  override name = 'UnknownCommandError';
}

type Handler = (service: LabServiceLike, payload: unknown) => Promise<unknown>;

function handler<K extends CommandName>(name: K): Handler {
  return async (service, payload) => {
    const input = parseCommandInput(name, payload);
    const method = service[name] as (input: unknown) => CommandOutput<K> | Promise<CommandOutput<K>>;
    return await method.call(service, input);
  };
}

/** Every command has a handler: the mapped type makes a missing one a compile error. */
export const HANDLERS: { readonly [K in CommandName]: Handler } = Object.fromEntries(COMMAND_NAMES.map((name) => [name, handler(name)])) as {
  [K in CommandName]: Handler;
};

export function dispatchCommand(service: LabServiceLike, name: string, payload: unknown): Promise<unknown> {
  if (!isCommandName(name)) return Promise.reject(new UnknownCommandError(`unknown command "${name}"`));
  return HANDLERS[name](service, payload);
}

/** Errors a user can act on carry their message; anything else is an internal error. */
export function describeError(error: unknown): { status: number; message: string } {
  const status = userErrorStatus(error);
  if (status !== null) return { status, message: (error as Error).message };
  return { status: 500, message: `internal error: ${error instanceof Error ? error.message : String(error)}` };
}
