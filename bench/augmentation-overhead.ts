// node --import tsx bench/augmentation-overhead.ts [--pairs 40] [--steps 12] [--flip] [--shift 0.1 --rotation 10 --zoom 0.1]
// What augmentation costs the seed MLP's training, as a ratio measured within one run. The trainer's
// own pieces (its wasm backend on every core with the fast kernels, the seed MLP's step, gatherBatch
// filling the batch exactly as the loop does) train on MNIST in blocks of --steps steps, one block
// without augmentation and one with (shift 10 %, rotation 10°, zoom 10 % unless told otherwise),
// the pair's order alternating (off-on, on-off, …) so a load change on a shared machine falls on both
// alike. Each pair gives one ratio (with / without); the median and its spread over the pairs are the
// answer, with the share of the "with" blocks spent augmenting. An epoch is its steps plus a few
// progress events, so the step ratio is the epoch ratio. Read the ratios, not the seconds.
import { loadavg } from 'node:os';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CompileConfigSchema, findPreset, TrainConfigSchema, type AugmentationConfig } from '../src-shared/index.ts';
import { DatasetRegistry } from '../src-main/lab/data/dataset-registry.ts';
import { buildModel } from '../src-main/lab/model/build-model.ts';
import type { Tensor2D } from '../src-main/lab/model/tf-types.ts';
import { Augmenter } from '../src-main/lab/training/augment.ts';
import { gatherBatch, type BatchBuffers } from '../src-main/lab/training/gather-batch.ts';
import { createOptimizer } from '../src-main/lab/training/optimizers.ts';
import { prepareData } from '../src-main/lab/training/prepare-data.ts';
import { createTrainStep } from '../src-main/lab/training/train-step.ts';
import { loadTrainerBackend } from '../src-main/lab/training/trainer-session.ts';
import { SeededRandom } from '../src-main/lab/util/seeded-random.ts';

const args = process.argv.slice(2);
const flag = (name: string, fallback: number): number => {
  const at = args.indexOf(`--${name}`);
  if (at < 0) return fallback;
  const value = Number(args[at + 1]);
  if (!Number.isFinite(value) || value < 0) throw new Error(`--${name} needs a number ≥ 0, got ${args[at + 1]}`);
  return value;
};
const pairs = flag('pairs', 40);
const stepsPerBlock = flag('steps', 12);
const augmentation: AugmentationConfig = { shift: flag('shift', 0.1), rotation: flag('rotation', 10), zoom: flag('zoom', 0.1), horizontalFlip: args.includes('--flip') };
const BATCH = 128;

const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');
console.log(`load average at start: ${load()}`);
const home = mkdtempSync(join(tmpdir(), 'layerlab-augment-bench-'));
const { tf, report } = await loadTrainerBackend('wasm');
const architecture = findPreset('keras-mlp')!.architecture;
const train = TrainConfigSchema.parse({ batchSize: BATCH, trainExamples: 60_000, validation: { kind: 'none' }, augmentation });
const data = prepareData(new DatasetRegistry(home).load('mnist'), train);
const pixels = architecture.inputShape.reduce((a, b) => a * b, 1);
const model = buildModel(tf, architecture, 1);
const optimizer = createOptimizer(tf, CompileConfigSchema.parse({}).optimizer);
const step = createTrainStep(model, optimizer);
const augmenter = new Augmenter(augmentation, data.imageShape ?? [28, 28, 1], 1);
const batch: BatchBuffers = { x: new Float32Array(BATCH * pixels), labels: new Int32Array(BATCH) };
const order = Uint32Array.from({ length: data.train.count }, (_, i) => i);
new SeededRandom(7).shuffle(order);
const batchesPerEpoch = Math.floor(data.train.count / BATCH);
let next = 0;

/** One block of training steps as the loop runs them: seconds in all and seconds spent gathering the batches. */
function block(withAugmentation: boolean): { seconds: number; gathering: number } {
  let gathering = 0;
  const started = performance.now();
  for (let s = 0; s < stepsPerBlock; s++) {
    const gatherStarted = performance.now();
    gatherBatch(data.train, order, (next++ % batchesPerEpoch) * BATCH, BATCH, pixels, withAugmentation ? augmenter : null, batch);
    gathering += performance.now() - gatherStarted;
    tf.tidy(() => {
      const x = tf.tensor(batch.x, [BATCH, ...architecture.inputShape]);
      const labels = tf.oneHot(tf.tensor1d(batch.labels, 'int32'), 10);
      step(x as Tensor2D, labels as Tensor2D); // reads its loss back: the step's full cost
    });
  }
  return { seconds: (performance.now() - started) / 1000, gathering: gathering / 1000 };
}

block(false); // warm-up: kernels, wasm threads, the augmenter's first images
block(true);
const ratios: number[] = [];
const gatherShares: number[] = [];
let offSeconds = 0;
let onSeconds = 0;
for (let p = 0; p < pairs; p++) {
  // Even pairs run without first, odd pairs with first.
  const offFirst = p % 2 === 0;
  const a = block(!offFirst);
  const b = block(offFirst);
  const [off, on] = offFirst ? [a, b] : [b, a];
  ratios.push(on.seconds / off.seconds);
  gatherShares.push(on.gathering / on.seconds);
  offSeconds += off.seconds;
  onSeconds += on.seconds;
}
optimizer.dispose();
model.dispose();
rmSync(home, { recursive: true, force: true });

const quantile = (xs: number[], q: number): number => {
  const sorted = [...xs].sort((x, y) => x - y);
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at);
  return (sorted[lo] as number) + ((sorted[Math.ceil(at)] as number) - (sorted[lo] as number)) * (at - lo);
};
const f = (x: number) => x.toFixed(3);
const steps = pairs * stepsPerBlock;
console.log(`backend ${report.detail ?? report.chosen}; seed MLP, batch ${BATCH}, ${pairs} pairs of ${stepsPerBlock}-step blocks, augmentation shift ${augmentation.shift}, rotation ${augmentation.rotation}°, zoom ${augmentation.zoom}, flip ${augmentation.horizontalFlip ? 'on' : 'off'}`);
console.log(`ms per step: without ${((1000 * offSeconds) / steps).toFixed(2)}, with ${((1000 * onSeconds) / steps).toFixed(2)}`);
console.log(`ratio with/without per pair: median ${f(quantile(ratios, 0.5))}, quartiles ${f(quantile(ratios, 0.25))}–${f(quantile(ratios, 0.75))}, min ${f(Math.min(...ratios))}, max ${f(Math.max(...ratios))}; over all steps ${f(onSeconds / offSeconds)}`);
console.log(`gathering an augmented batch: median ${(100 * quantile(gatherShares, 0.5)).toFixed(1)} % of the step with augmentation`);
console.log(`load average at end: ${load()}`);
