// node --import tsx bench/augmentation-overhead.ts [--examples 60000] [--pairs 2]
// What augmentation costs the seed MLP's epoch: the real trainer (runTrainerSession, wasm on every
// core) runs one epoch without and one with shift 10 %, rotation 10°, zoom 10 % and flips, in
// alternating pairs so load on a shared machine falls on both alike. Prints the ratio of epoch
// times (with / without) and the time augmenting the same number of images takes alone; read
// the ratios, not the seconds.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CompileConfigSchema, findPreset, TrainConfigSchema, type TrainConfigInput } from '../src-shared/index.ts';
import { createControlState, runTrainerSession } from '../src-main/lab/training/trainer-session.ts';
import { Augmenter } from '../src-main/lab/training/augment.ts';
import type { TrainJob } from '../src-main/lab/training/trainer-protocol.ts';

const args = process.argv.slice(2);
const flag = (name: string, fallback: number): number => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? Number(args[at + 1]) : fallback;
};
const examples = flag('examples', 60_000);
const pairs = flag('pairs', 2);
const AUGMENTATION = { shift: 0.1, rotation: 10, zoom: 0.1, horizontalFlip: true };
const home = mkdtempSync(join(tmpdir(), 'layerlab-augment-bench-'));

async function epochSeconds(augmentation: TrainConfigInput['augmentation']): Promise<number> {
  const job: TrainJob = {
    runId: 1,
    architecture: findPreset('keras-mlp')!.architecture,
    compile: CompileConfigSchema.parse({}),
    train: TrainConfigSchema.parse({ epochs: 1, batchSize: 128, trainExamples: examples, testExamples: 1000, validation: { kind: 'none' }, ...(augmentation ? { augmentation } : {}) }),
    dataset: 'mnist',
    home,
    backend: 'wasm',
    initialWeights: null,
  };
  let seconds = NaN;
  await runTrainerSession(
    { send: (m) => { if (m.type === 'event' && m.event.type === 'epoch') seconds = m.event.seconds; }, onMessage: () => {}, exit: () => {} },
    job,
    createControlState(),
  );
  return seconds;
}

/** Seconds to augment `examples` MNIST-sized images alone: the work the trainer adds per epoch. */
function augmentAlone(): number {
  const augmenter = new Augmenter(AUGMENTATION, [28, 28, 1], 1);
  const src = Float32Array.from({ length: 784 }, (_, i) => (i % 29) / 29);
  const dst = new Float32Array(784);
  const started = performance.now();
  for (let i = 0; i < examples; i++) augmenter.apply(src, dst);
  return (performance.now() - started) / 1000;
}

const off: number[] = [];
const alone: number[] = [];
const on: number[] = [];
await epochSeconds(undefined); // warm-up: backend load, kernel compilation
for (let i = 0; i < pairs; i++) {
  off.push(await epochSeconds(undefined));
  on.push(await epochSeconds(AUGMENTATION));
  alone.push(augmentAlone());
}
rmSync(home, { recursive: true, force: true });
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
console.log(`seed MLP, ${examples} examples, ${pairs} pairs: without ${off.map((s) => s.toFixed(2)).join(', ')} s; with ${on.map((s) => s.toFixed(2)).join(', ')} s`);
console.log(`ratio with/without: ${(sum(on) / sum(off)).toFixed(3)} (epoch pairs, each ratio: ${on.map((s, i) => (s / (off[i] as number)).toFixed(3)).join(', ')})`);
console.log(`augmenting ${examples} images alone: ${alone.map((s) => s.toFixed(2)).join(', ')} s, ${((100 * sum(alone)) / sum(off)).toFixed(1)} % of the epoch without`);
