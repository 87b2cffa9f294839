// The trainer as a forked Node process (CLI, web mode, tests). TypeScript runs through tsx's
// loader, resolved to an absolute URL so it works from any working directory.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { TrainerChannel, TrainerLauncher, TrainerToParent } from './trainer-protocol.ts';

const TRAINER_ENTRY = fileURLToPath(new URL('./trainer-main.ts', import.meta.url));
const STDERR_TAIL = 4000;

export function forkTrainerLauncher(options: { execArgv?: string[] } = {}): TrainerLauncher {
  return {
    launch(): TrainerChannel {
      const tsx = import.meta.resolve('tsx');
      const child = fork(TRAINER_ENTRY, [], {
        execArgv: [...(options.execArgv ?? []), '--import', tsx],
        serialization: 'advanced',
        stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
      });
      let stderrTail = '';
      child.stderr?.setEncoding('utf8');
      child.stderr?.on('data', (chunk: string) => {
        stderrTail = (stderrTail + chunk).slice(-STDERR_TAIL);
      });
      const channel: TrainerChannel = {
        send: (message) => {
          if (child.connected) child.send(message);
        },
        onMessage: (listener) => child.on('message', (m) => listener(m as TrainerToParent)),
        onExit: (listener) => child.once('exit', (code, signal) => listener(code, signal)),
        kill: () => {
          child.kill('SIGKILL');
        },
        diagnostics: () => stderrTail.trim(),
      };
      return channel;
    },
  };
}
