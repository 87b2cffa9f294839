import { parseArgs } from 'node:util';
import { BACKEND_NAMES, OPTIMIZER_NAMES, parseCommandInput, type RunEvent } from '../../../src-shared/index.ts';
import { LabService } from '../../lab/service/lab-service.ts';
import { resolveLabHome } from '../../lab/home.ts';
import { readArchitecture } from '../architecture-source.ts';
import { callbackHelp, earlyStoppingFlag, lrScheduleFlag } from '../callback-flags.ts';
import { enumFlag, intFlag as int, numberFlag as num } from '../flags.ts';
import { terminalSafe } from '../terminal-text.ts';
import { jsonLine, ProgressPrinter } from '../progress-printer.ts';

export const trainHelp = `layerlab train --preset keras-mlp | --arch FILE [options]
  --epochs N  --batch-size N  --optimizer sgd|adam|rmsprop|adagrad  --lr X  --momentum X
  --train-examples N  --test-examples N  --validation-split F  --seed N  --no-shuffle
  --backend auto|${BACKEND_NAMES.join('|')}  --dataset mnist|NAME  --name TEXT  --home DIR  --json
${callbackHelp}
  --augment-shift F  --augment-rotation DEG  --augment-zoom F  --augment-flip   (augmentation, off unless given)
  Trains and stores the run. Ctrl-C stops it cleanly after the current batch (finished epochs are kept).`;

/** Flags a caller adds to train's (sweep's), read back untyped in `extra`. */
export type ExtraFlags = Record<string, { type: 'string' | 'boolean'; multiple?: boolean }>;

export function buildStartRequest(argv: string[], extraFlags: ExtraFlags = {}) {
  const parsed = parseArgs({
    args: argv,
    strict: true,
    options: {
      ...extraFlags,
      preset: { type: 'string' }, arch: { type: 'string' }, epochs: { type: 'string' }, 'batch-size': { type: 'string' },
      optimizer: { type: 'string' }, lr: { type: 'string' }, momentum: { type: 'string' }, 'train-examples': { type: 'string' },
      'test-examples': { type: 'string' }, 'validation-split': { type: 'string' }, seed: { type: 'string' }, 'no-shuffle': { type: 'boolean' },
      backend: { type: 'string' }, dataset: { type: 'string' }, name: { type: 'string' }, home: { type: 'string' }, json: { type: 'boolean' },
      'early-stopping': { type: 'string' }, 'restore-best-weights': { type: 'boolean' }, 'lr-schedule': { type: 'string' },
      'augment-shift': { type: 'string' }, 'augment-rotation': { type: 'string' }, 'augment-zoom': { type: 'string' }, 'augment-flip': { type: 'boolean' },
    },
  });
  const values = parsed.values;
  const all = parsed.values as Record<string, string | boolean | (string | boolean)[] | undefined>;
  const extra = Object.fromEntries(Object.keys(extraFlags).map((k) => [k, all[k]]));
  const optimizer: Record<string, unknown> = { name: enumFlag('optimizer', values.optimizer, OPTIMIZER_NAMES) ?? 'sgd' };
  const backend = enumFlag('backend', values.backend, ['auto', ...BACKEND_NAMES]);
  if (values.lr !== undefined) optimizer.learningRate = num('lr', values.lr);
  if (values.momentum !== undefined) optimizer.momentum = num('momentum', values.momentum);
  const split = num('validation-split', values['validation-split']);
  const train = Object.fromEntries(
    Object.entries({
      epochs: int('epochs', values.epochs),
      batchSize: int('batch-size', values['batch-size']),
      trainExamples: int('train-examples', values['train-examples']),
      testExamples: int('test-examples', values['test-examples']),
      seed: int('seed', values.seed),
      shuffle: values['no-shuffle'] ? false : undefined,
      validation: split === undefined ? undefined : { kind: 'split', fraction: split },
      earlyStopping: earlyStoppingFlag(values['early-stopping'], values['restore-best-weights']),
      lrSchedule: lrScheduleFlag(values['lr-schedule']),
      augmentation: augmentationFlags(values),
    }).filter(([, v]) => v !== undefined),
  );
  const request = parseCommandInput('startRun', {
    architecture: readArchitecture(values.preset, values.arch),
    compile: { optimizer },
    train,
    ...(values.dataset ? { dataset: values.dataset } : {}),
    ...(backend ? { backend } : {}),
    ...(values.name ? { name: values.name } : {}),
  });
  // MNIST's defaults (60 000 / 10 000 examples) are more than most imported datasets hold: unless given, take them all.
  const wholeDataset = { train: values['train-examples'] === undefined, test: values['test-examples'] === undefined };
  return { request, home: values.home, json: values.json ?? false, extra, wholeDataset };
}

/** The --augment-* flags as an augmentation config, or undefined when none is given (off). */
function augmentationFlags(values: { 'augment-shift'?: string; 'augment-rotation'?: string; 'augment-zoom'?: string; 'augment-flip'?: boolean }) {
  const config = Object.fromEntries(
    Object.entries({
      shift: num('augment-shift', values['augment-shift']),
      rotation: num('augment-rotation', values['augment-rotation']),
      zoom: num('augment-zoom', values['augment-zoom']),
      horizontalFlip: values['augment-flip'],
    }).filter(([, v]) => v !== undefined),
  );
  return Object.keys(config).length ? config : undefined;
}

export async function trainCommand(argv: string[], out: NodeJS.WritableStream & { isTTY?: boolean }): Promise<number> {
  const { request, home, json, wholeDataset } = buildStartRequest(argv);
  const service = await LabService.open({ home: resolveLabHome(home), processKind: 'layerlab train' });
  const dataset = service.listDatasets().find((d) => d.name === request.dataset && !d.damaged);
  if (dataset && !dataset.builtIn) {
    if (wholeDataset.train) request.train.trainExamples = Math.min(request.train.trainExamples, dataset.trainExamples);
    if (wholeDataset.test) request.train.testExamples = Math.min(request.train.testExamples, dataset.testExamples);
  }
  const printer = new ProgressPrinter(out, request.train.batchSize);
  let finished: Extract<RunEvent, { type: 'finished' }> | null = null;
  service.onRunEvent((event) => {
    if (json) {
      const line = jsonLine(event);
      if (line) out.write(`${line}\n`);
    } else {
      printer.handle(event);
    }
    if (event.type === 'finished') finished = event;
  });
  let runId: number | null = null;
  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    if (runId === null) return;
    if (interrupts === 1) {
      process.stderr.write('\nStopping after the current batch (Ctrl-C again to abort)…\n');
      service.stopRun({ runId });
    } else {
      process.exit(130);
    }
  };
  process.on('SIGINT', onSigint);
  try {
    runId = service.startRun(request).runId;
    await service.waitForRun(runId);
  } finally {
    process.off('SIGINT', onSigint);
    await service.close();
  }
  const end = finished as Extract<RunEvent, { type: 'finished' }> | null;
  if (end?.status === 'failed') process.stderr.write(`layerlab: run ${end.runId} failed: ${terminalSafe(end.reason ?? 'no reason given')}\n`);
  return end?.status === 'completed' || end?.status === 'stopped' ? 0 : 1;
}
