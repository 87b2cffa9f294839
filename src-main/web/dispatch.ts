// The one handler table: a command name and a raw payload in, the service's answer out.
// Electron IPC and the web bridge both call this, so neither can drift from the contract.
import { COMMAND_NAMES, isCommandName, parseCommandInput, type CommandName, type CommandOutput } from '../../src-shared/index.ts';
import type { LabServiceLike } from '../lab/service/lab-service-types.ts';

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
const USER_ERROR_STATUS: Record<string, number> = {
  PayloadError: 400,
  ArchitectureError: 400,
  DatasetError: 400,
  TrainConfigError: 400,
  BackendError: 409,
  RunStateError: 409,
  UnknownCommandError: 404,
};

export function describeError(error: unknown): { status: number; message: string } {
  if (error instanceof Error) {
    if (error.name === 'StoreError') {
      const code = (error as { code?: string }).code;
      return { status: code === 'not-found' ? 404 : code === 'disk-full' ? 507 : 500, message: error.message };
    }
    const status = USER_ERROR_STATUS[error.name];
    if (status) return { status, message: error.message };
  }
  return { status: 500, message: `internal error: ${error instanceof Error ? error.message : String(error)}` };
}
