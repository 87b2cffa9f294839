// The trainer in an Electron utilityProcess: a Node process of Electron's own, so a training
// step never blocks the main thread (tfjs issue #1475) and the app does not need a separate Node.
import type { UtilityProcess } from 'electron';
import type { TrainerChannel, TrainerLauncher, TrainerToParent } from '../lab/training/trainer-protocol.ts';

type Fork = (modulePath: string, args: string[], options: { serviceName: string; stdio: 'pipe' }) => UtilityProcess;
const STDERR_TAIL = 4000;

export function utilityTrainerLauncher(fork: Fork, trainerScript: string): TrainerLauncher {
  return {
    launch(): TrainerChannel {
      const child = fork(trainerScript, [], { serviceName: 'Layerlab trainer', stdio: 'pipe' });
      let stderrTail = '';
      let alive = true;
      child.stderr?.on('data', (chunk: Buffer) => {
        stderrTail = (stderrTail + chunk.toString()).slice(-STDERR_TAIL);
      });
      child.once('exit', () => {
        alive = false;
      });
      return {
        send: (message) => {
          if (alive) child.postMessage(message);
        },
        onMessage: (listener) => child.on('message', (m: unknown) => listener(m as TrainerToParent)),
        // utilityProcess reports only a code; a crash shows up as a non-zero one.
        onExit: (listener) => child.once('exit', (code: number) => listener(code, null)),
        kill: () => {
          if (alive) child.kill();
        },
        diagnostics: () => stderrTail.trim(),
      };
    },
  };
}
