// The trainer's end of the channel: Electron's utilityProcess gives process.parentPort,
// child_process.fork gives process.send. The trainer code does not care which.
import type { ParentToTrainer, TrainerToParent } from './trainer-protocol.ts';

interface ParentPort {
  on(event: 'message', listener: (e: { data: unknown }) => void): void;
  postMessage(message: unknown): void;
}

export interface TrainerPort {
  send(message: TrainerToParent): void;
  onMessage(listener: (message: ParentToTrainer) => void): void;
  /** Exits once every message sent so far has left the process. */
  exit(code: number): void;
}

export function connectTrainerPort(): TrainerPort {
  const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;
  if (parentPort) {
    return {
      send: (m) => parentPort.postMessage(m),
      onMessage: (listener) => parentPort.on('message', (e) => listener(e.data as ParentToTrainer)),
      // postMessage has no completion callback; a short grace lets the port flush.
      exit: (code) => setTimeout(() => process.exit(code), 100),
    };
  }
  if (typeof process.send === 'function') {
    return {
      send: (m) => process.send?.(m),
      onMessage: (listener) => process.on('message', (m) => listener(m as ParentToTrainer)),
      // IPC keeps order: when this last write completes, all earlier ones have too.
      exit: (code) => process.send?.({ type: 'exiting', code }, () => process.exit(code)),
    };
  }
  throw new Error('the trainer must be started by Layerlab (no parent channel found)');
}
