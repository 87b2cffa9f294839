// Entry point of the trainer process (forked by the CLI/web mode, utilityProcess in Electron).
import { connectTrainerPort } from './trainer-port.ts';
import { lowerTrainerPriority } from './trainer-priority.ts';
import { createControlState, runEstimateSession, runTrainerSession, runWebGpuProbe } from './trainer-session.ts';

// Before any worker thread exists, so that they inherit it. Failing to is harmless: say so on stderr and go on.
const priority = lowerTrainerPriority();
if (priority !== null) process.stderr.write(`layerlab trainer: runs at normal priority (${priority})\n`);

// Ctrl-C reaches the whole process group; the parent decides how a run stops.
process.on('SIGINT', () => {});
// Orphaned (the app or CLI died): nobody can store what we compute, so stop now.
process.on('disconnect', () => process.exit(1));

const port = connectTrainerPort();
const control = createControlState();
let started = false;

port.onMessage((message) => {
  if (message.type !== 'start' && message.type !== 'estimate' && message.type !== 'probeWebGpu') {
    control.handle(message);
    return;
  }
  if (started) return;
  started = true;
  const work =
    message.type === 'start'
      ? runTrainerSession(port, message.job, control)
      : message.type === 'estimate'
        ? runEstimateSession(port, message.job, message.batches)
        : runWebGpuProbe(port);
  work
    .then(() => port.exit(0))
    .catch((error: unknown) => {
      port.send({ type: 'fatal', message: error instanceof Error ? error.message : String(error) });
      port.exit(1);
    });
});
port.send({ type: 'ready' });
