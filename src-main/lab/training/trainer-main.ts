// Entry point of the trainer process (forked by the CLI/web mode, utilityProcess in Electron).
import { connectTrainerPort } from './trainer-port.ts';
import { createControlState, runTrainerSession } from './trainer-session.ts';

// Ctrl-C reaches the whole process group; the parent decides how a run stops.
process.on('SIGINT', () => {});

const port = connectTrainerPort();
const control = createControlState();
let started = false;

port.onMessage((message) => {
  if (message.type !== 'start') {
    control.handle(message);
    return;
  }
  if (started) return;
  started = true;
  runTrainerSession(port, message.job, control)
    .then(() => port.exit(0))
    .catch((error: unknown) => {
      port.send({ type: 'fatal', message: error instanceof Error ? error.message : String(error) });
      port.exit(1);
    });
});
port.send({ type: 'ready' });
