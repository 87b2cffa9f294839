// The contract over Electron IPC: the same handler table as the web bridge, registered on
// ipcMain. A message counts only if it comes from the app's own window and page.
import type { IpcMainInvokeEvent } from 'electron';
import type { RunEvent } from '../../src-shared/index.ts';
import { EVENT_CHANNEL, INVOKE_CHANNEL } from '../../src-shared/ipc-channels.ts';
import type { LabServiceLike } from '../lab/service/lab-service-types.ts';
import { describeError, dispatchCommand } from '../lab/service/dispatch.ts';
import { APP_ORIGIN } from './app-protocol.ts';

export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcMainInvokeEvent, ...args: unknown[]) => unknown): void;
  removeHandler(channel: string): void;
}

export interface IpcReply {
  ok: boolean;
  result?: unknown;
  error?: string;
}

export interface AppWindowLike {
  webContents: { id: number; send(channel: string, ...args: unknown[]): void; isDestroyed(): boolean };
}

export function isTrustedSender(event: Pick<IpcMainInvokeEvent, 'sender' | 'senderFrame'>, window: AppWindowLike | null): boolean {
  if (!window || event.sender.id !== window.webContents.id) return false;
  const frame = event.senderFrame;
  // Only the top frame of our own page (its origin, app://layerlab): no iframes, no
  // navigated-away content, and nothing that depends on how a file path is spelled.
  return frame !== null && frame.parent === null && frame.origin === APP_ORIGIN;
}

/** Registers the commands and forwards run events; returns a function that undoes both. */
export function registerIpc(ipcMain: IpcMainLike, service: LabServiceLike, getWindow: () => AppWindowLike | null): () => void {
  ipcMain.handle(INVOKE_CHANNEL, async (event, command, payload): Promise<IpcReply> => {
    if (!isTrustedSender(event, getWindow())) return { ok: false, error: 'refused: the request did not come from the Layerlab window' };
    try {
      return { ok: true, result: (await dispatchCommand(service, String(command), payload)) ?? null };
    } catch (error) {
      return { ok: false, error: describeError(error).message };
    }
  });
  const unsubscribe = service.onRunEvent((payload: RunEvent) => {
    const window = getWindow();
    if (window && !window.webContents.isDestroyed()) window.webContents.send(EVENT_CHANNEL, 'onRunEvent', payload);
  });
  return () => {
    ipcMain.removeHandler(INVOKE_CHANNEL);
    unsubscribe();
  };
}

