// A child process that owns a training run until it is killed, as `layerlab serve` does while it
// trains: argv is the database file and the process kind to record. Prints the run id when ready.
import { LabStore } from '../../../src-main/lab/store/lab-store.ts';
import { newRun } from './store-fixtures.ts';

const [file, kind] = process.argv.slice(2);
if (!file || !kind) throw new Error('usage: hold-run.ts FILE KIND');
const store = LabStore.open(file, { ownerKind: kind });
const id = store.createRun(newRun('held'));
store.markStarted(id, { chosen: 'cpu', requested: 'auto', probes: [], versions: {} });
process.stdout.write(`${id}\n`);
setInterval(() => {}, 1000);
