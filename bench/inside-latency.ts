// node --import tsx bench/inside-latency.ts [--updates 200]
// Draw's latency per update with the inside views open, for the seed MLP, in the serving process
// (LabService, the Predictor's wasm backend): predict alone (the cards' probabilities) against
// predict + inspectImage (activations of every layer + saliency) as Draw sends them, one stroke
// update after another; then the same while a 2,000-image UMAP projection is being computed.
// Wall-clock on a shared machine: read the ratios, not the absolute numbers.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { CompileConfigSchema, findPreset, parseCommandInput, TrainConfigSchema } from '../src-shared/index.ts';
import { DATABASE_FILE } from '../src-main/lab/home.ts';
import { buildModel } from '../src-main/lab/model/build-model.ts';
import type { Tf } from '../src-main/lab/model/tf-types.ts';
import { encodeWeights } from '../src-main/lab/model/weights-codec.ts';
import { LabService } from '../src-main/lab/service/lab-service.ts';
import { LabStore } from '../src-main/lab/store/lab-store.ts';
import { SeededRandom } from '../src-main/lab/util/seeded-random.ts';

const args = process.argv.slice(2);
const updates = Number(args[args.indexOf('--updates') + 1] ?? 200) || 200;
const home = mkdtempSync(join(tmpdir(), 'layerlab-inside-bench-'));
const architecture = findPreset('keras-mlp')!.architecture;

// A stored run of the seed MLP (weights: its seeded init; the cost does not depend on their values).
await tf.setBackend('cpu');
const store = LabStore.open(join(home, DATABASE_FILE));
const runId = store.createRun({ name: 'seed', architecture, compile: CompileConfigSchema.parse({}), train: TrainConfigSchema.parse({}), dataset: { name: 'mnist', hash: 'bench' }, totalParams: 407_050 });
const model = buildModel(tf as unknown as Tf, architecture, 1);
store.saveCheckpoint(runId, { kind: 'final', epoch: 1, valLoss: null, weights: encodeWeights(model) });
model.dispose();
store.close();

const service = await LabService.open({ home });
service.warmUp();
const rng = new SeededRandom(7);
/** A drawing that grows stroke by stroke, as Draw sends it. */
const image = new Array<number>(784).fill(0);
function nextUpdate(): number[] {
  for (let k = 0; k < 12; k++) image[rng.nextInt(784)] = rng.next();
  return [...image];
}

async function time(label: string, withInside: boolean, n: number): Promise<number[]> {
  const ms: number[] = [];
  for (let i = 0; i < n; i++) {
    const pixels = nextUpdate();
    const started = performance.now();
    await Promise.all([
      service.predict(parseCommandInput('predict', { runId, images: [pixels] })),
      ...(withInside ? [service.inspectImage(parseCommandInput('inspectImage', { runId, image: pixels }))] : []),
    ]);
    ms.push(performance.now() - started);
    await new Promise((r) => setTimeout(r, 5));
  }
  void label;
  return ms;
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] ?? NaN;
const row = (label: string, xs: number[]) => `| ${label} | ${pct(xs, 50).toFixed(1)} | ${pct(xs, 95).toFixed(1)} | ${Math.max(...xs).toFixed(1)} |`;

await time('warm-up', true, 20);
const plain = await time('predict', false, updates);
const inside = await time('predict + inspectImage', true, updates);
// While the projector computes a UMAP of 2,000 test images in the same process.
const projecting = service.projectEmbedding(parseCommandInput('projectEmbedding', { runId, method: 'umap', sample: 2000 })).catch((e: Error) => e.message);
const busy = await time('during UMAP', true, Math.min(updates, 100));
const projected = await projecting;

console.log(`Draw update latency, seed MLP, serving process on ${tf.getBackend()} (the Predictor's backend); ${updates} updates each\n`);
console.log('| per update | p50 ms | p95 ms | max ms |\n|---|---|---|---|');
console.log(row('predict (inside closed)', plain));
console.log(row('predict + inspectImage (inside open)', inside));
console.log(row('inside open, while a 2,000-image UMAP runs', busy));
console.log(`\nprojection: ${typeof projected === 'string' ? `failed: ${projected}` : `${projected.points.length} points`}`);
await service.close();
rmSync(home, { recursive: true, force: true });
