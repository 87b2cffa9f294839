// The trainer in an Electron utilityProcess: a Node process of Electron's own, so a training
// step never blocks the main thread (tfjs issue #1475) and the app does not need a separate Node.
import type { UtilityProcess } from 'electron';
import type { ParentToTrainer, TrainerChannel, TrainerLauncher, TrainerToParent } from '../lab/training/trainer-protocol.ts';

/** stdin must be 'ignore' for a utilityProcess; stdout and stderr are pipes this side reads. */
export const TRAINER_STDIO: ['ignore', 'pipe', 'pipe'] = ['ignore', 'pipe', 'pipe'];
export type UtilityFork = (modulePath: string, args: string[], options: { serviceName: string; stdio: typeof TRAINER_STDIO }) => Pick<UtilityProcess, 'postMessage' | 'on' | 'once' | 'kill' | 'stdout' | 'stderr'>;
const OUTPUT_TAIL = 4000;

export function utilityTrainerLauncher(fork: UtilityFork, trainerScript: string): TrainerLauncher {
  return {
    launch(): TrainerChannel {
      const child = fork(trainerScript, [], { serviceName: 'Layerlab trainer', stdio: TRAINER_STDIO });
      let outputTail = '';
      let alive = true;
      // The trainer bundle loads asynchronously; what the service sends before the trainer
      // says 'ready' waits here instead of racing its message listener.
      let pending: ParentToTrainer[] | null = [];
      // Both pipes are read to the end, always: a pipe nobody drains fills its buffer, and
      // then the trainer's synchronous writes (Emscripten writes to fd 1) block the run.
      // What they say is kept as a short tail that explains a failed trainer.
      const keep = (chunk: Buffer) => {
        outputTail = (outputTail + chunk.toString()).slice(-OUTPUT_TAIL);
      };
      child.stdout?.on('data', keep);
      child.stderr?.on('data', keep);
      child.on('message', (message: TrainerToParent) => {
        if (message.type !== 'ready' || !pending) return;
        const queued = pending;
        pending = null;
        for (const m of queued) child.postMessage(m);
      });
      child.once('exit', () => {
        alive = false;
      });
      return {
        send: (message) => {
          if (!alive) return;
          if (pending) pending.push(message);
          else child.postMessage(message);
        },
        onMessage: (listener) => child.on('message', (m: unknown) => listener(m as TrainerToParent)),
        // utilityProcess reports only a code; a crash shows up as a non-zero one.
        onExit: (listener) => child.once('exit', (code: number) => listener(code, null)),
        kill: () => {
          if (alive) child.kill();
        },
        diagnostics: () => outputTail.trim(),
      };
    },
  };
}
