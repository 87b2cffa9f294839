// node --import tsx bench/large-lab/generate-lab.ts --runs 10000 --out /tmp/lab10k [--epochs 30] [--light] [--no-auto-vacuum]
// (--light, for the e2e: no per-batch losses or test predictions, weights on every 25th run only: seconds, not minutes)
// The file is in incremental auto-vacuum mode, as a lab this version creates (deleting gives the space back to the
// disk); --no-auto-vacuum writes it as versions before issue 19 did (freed pages are reused, the file never shrinks).
// Writes a lab of synthetic but realistic runs, at the previous schema (version 2), so the code of main and of
// this branch both open it (this one migrates it on open, as a user's lab would be): sweeps and one-offs with
// names, tags and notes; mostly completed runs of 30 epochs with per-batch losses, an evaluation, test
// predictions and float32 final/best checkpoints of small MLPs (real weights a model can load); some stopped
// early, failed or interrupted, and some with no weights at all (stopped before epoch 1).
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { CompileConfigSchema, TrainConfigSchema, type Architecture } from '../../src-shared/index.ts';
import { MIGRATIONS, migrate } from '../../src-main/lab/store/migrations.ts';
import { SeededRandom } from '../../src-main/lab/util/seeded-random.ts';

export interface LabOptions {
  runs: number;
  out: string;
  epochs?: number;
  seed?: number;
  light?: boolean;
  /** Write the file as versions before issue 19 did: no auto-vacuum (default false: incremental, as a new lab now). */
  noAutoVacuum?: boolean;
}

/** Writes the lab (run i is named `mlpN … i` or `sweep-… #i`; with light, runs whose i is a multiple of 25 have weights). */
export function generateLab(options: LabOptions): void {
const RUNS = options.runs;
const EPOCHS = options.epochs ?? 30;
const LIGHT = options.light ?? false;
const rng = new SeededRandom(options.seed ?? 1);
const pick = <T>(xs: readonly T[]): T => xs[rng.nextInt(xs.length)] as T;

const HIDDEN = [16, 32, 24, 48] as const;
const architectureOf = (hidden: number): Architecture => ({
  inputShape: [784],
  layers: [
    { type: 'dense', units: hidden, activation: 'relu' },
    { type: 'dense', units: 10, activation: 'softmax' },
  ],
});
const paramsOf = (hidden: number) => 784 * hidden + hidden + hidden * 10 + 10;

/** A checkpoint in the previous version's format (LLW1, float32), glorot-like random weights. */
function checkpoint(hidden: number): Buffer {
  const shapes = [[784, hidden], [hidden], [hidden, 10], [10]];
  const names = [`dense_1/kernel`, `dense_1/bias`, `dense_2/kernel`, `dense_2/bias`];
  const header = Buffer.from(JSON.stringify({ weights: shapes.map((shape, i) => ({ name: names[i], shape })) }));
  const dataStart = Math.ceil((8 + header.length) / 4) * 4;
  const count = paramsOf(hidden);
  const out = Buffer.alloc(dataStart + count * 4);
  out.write('LLW1', 0, 'latin1');
  out.writeUInt32LE(header.length, 4);
  header.copy(out, 8);
  const floats = new Float32Array(out.buffer, out.byteOffset + dataStart, count);
  for (let i = 0; i < count; i++) floats[i] = (rng.next() - 0.5) * 0.2;
  return out;
}
// A few distinct blobs per size, reused: the bytes are what matter for the store, not their values.
const blobs = new Map(HIDDEN.map((h) => [h, [checkpoint(h), checkpoint(h), checkpoint(h)]]));

const home = options.out;
rmSync(home, { recursive: true, force: true });
mkdirSync(home, { recursive: true });
const db = new Database(join(home, 'layerlab.sqlite'));
// Before the first table: the mode a file is created in.
if (!options.noAutoVacuum) db.pragma('auto_vacuum = INCREMENTAL');
db.pragma('journal_mode = WAL');
db.pragma('foreign_keys = ON');
migrate(db, MIGRATIONS.slice(0, 2));

const insertRun = db.prepare(`INSERT INTO runs (name, status, status_reason, created_at, started_at, finished_at, architecture, compile, train, seed, dataset_name, dataset_hash, total_params, backend, backend_report, tags, notes, parent_run_id, owner)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'mnist', 'generated', ?, 'wasm', NULL, ?, ?, NULL, NULL)`);
const insertEpoch = db.prepare('INSERT INTO epochs (run_id, epoch, loss, acc, val_loss, val_acc, seconds) VALUES (?, ?, ?, ?, ?, ?, ?)');
const insertBatches = db.prepare('INSERT INTO batch_losses (run_id, epoch, batches, losses) VALUES (?, ?, ?, ?)');
const insertEvaluation = db.prepare('INSERT INTO evaluations (run_id, loss, accuracy, examples, confusion_matrix, per_class, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)');
const insertPredictions = db.prepare('INSERT INTO predictions (run_id, test_indices, predicted, confidence) VALUES (?, ?, ?, ?)');
const insertCheckpoint = db.prepare('INSERT INTO checkpoints (run_id, kind, slot, epoch, val_loss, bytes, created_at, weights) VALUES (?, ?, 0, ?, ?, ?, ?, ?)');

const TAGS = ['baseline', 'sweep', 'lr', 'dropout', 'adam', 'sgd', 'wide', 'narrow', 'keep', 'paper', 'debug', 'ablation'];
const NOTES = ['', '', '', 'diverged after lr bump', 'good baseline, keep', 'try more epochs next', 'compare with the cnn', 'noisy validation curve'];
const start = Date.parse('2024-01-01T00:00:00Z');

const t0 = performance.now();
const write = db.transaction((from: number, to: number) => {
  for (let i = from; i < to; i++) {
    const hidden = pick(HIDDEN);
    const sweep = i % 5 !== 0;
    const lr = pick([0.1, 0.05, 0.01, 0.005, 0.001]);
    const optimizer = pick(['sgd', 'adam', 'rmsprop'] as const);
    const batchSize = pick([32, 64, 128, 256]);
    const trainExamples = pick([60_000, 6_000, 6_000, 6_000]);
    const testExamples = pick([10_000, 1_000, 1_000, 1_000]);
    const compile = CompileConfigSchema.parse({ optimizer: { name: optimizer, learningRate: lr } });
    const train = TrainConfigSchema.parse({ epochs: EPOCHS, batchSize, trainExamples, testExamples, seed: i % 7 });
    const roll = rng.next();
    const status = roll < 0.86 ? 'completed' : roll < 0.93 ? 'stopped' : roll < 0.97 ? 'failed' : 'interrupted';
    // Stopped before the first epoch ended: no epochs, no weights.
    const epochs = status === 'completed' ? EPOCHS : rng.next() < 0.4 ? 0 : 1 + rng.nextInt(EPOCHS - 1);
    const created = new Date(start + i * 3_600_000).toISOString();
    const finished = new Date(start + i * 3_600_000 + 60_000 * (1 + epochs)).toISOString();
    const name = sweep ? `sweep-${Math.floor(i / 50)} ${optimizer} lr ${lr} bs ${batchSize} #${i}` : `mlp${hidden} ${pick(['baseline', 'try', 'check', 'longer'])} ${i}`;
    const tags = [...new Set([pick(TAGS), ...(rng.next() < 0.5 ? [pick(TAGS)] : [])])];
    const info = insertRun.run(name, status, status === 'completed' ? null : `${status} (generated)`, created, created, finished, JSON.stringify(architectureOf(hidden)), JSON.stringify(compile), JSON.stringify(train), train.seed, paramsOf(hidden), JSON.stringify(tags), pick(NOTES));
    const runId = Number(info.lastInsertRowid);
    const batches = Math.ceil(trainExamples / batchSize);
    const target = 0.85 + rng.next() * 0.13;
    let bestEpoch = 1;
    let bestLoss = Infinity;
    for (let e = 1; e <= epochs; e++) {
      const progress = 1 - Math.exp(-e / 4);
      const valLoss = 0.1 + 1.2 * (1 - progress) + rng.next() * 0.03;
      if (valLoss < bestLoss) [bestLoss, bestEpoch] = [valLoss, e];
      insertEpoch.run(runId, e, valLoss * 0.9, target * progress, valLoss, target * progress - rng.next() * 0.01, 2 + rng.next());
      if (LIGHT) continue;
      const losses = Float64Array.from({ length: batches }, (_, b) => valLoss * (1.3 - (0.3 * b) / batches) + rng.next() * 0.05);
      insertBatches.run(runId, e, Buffer.from(Uint32Array.from({ length: batches }, (_, b) => b + 1).buffer), Buffer.from(losses.buffer));
    }
    if (epochs === 0 || (LIGHT && i % 25 !== 0)) continue;
    const [finalBlob, bestBlob] = [pick(blobs.get(hidden)!), pick(blobs.get(hidden)!)];
    insertCheckpoint.run(runId, 'final', epochs, null, finalBlob.length, finished, finalBlob);
    insertCheckpoint.run(runId, 'best', bestEpoch, bestLoss, bestBlob.length, finished, bestBlob);
    if (status === 'failed' || status === 'interrupted') continue;
    const accuracy = target;
    const perClassRight = Math.round((testExamples / 10) * accuracy);
    const matrix = Array.from({ length: 10 }, (_, t) => Array.from({ length: 10 }, (_, p) => (t === p ? perClassRight : Math.round((testExamples / 10 - perClassRight) / 9))));
    const perClass = matrix.map((row, label) => ({ label, precision: accuracy, recall: accuracy, f1: accuracy, support: row.reduce((a, b) => a + b, 0) }));
    insertEvaluation.run(runId, bestLoss, accuracy, testExamples, JSON.stringify(matrix), JSON.stringify(perClass), finished);
    const predicted = Uint8Array.from({ length: testExamples }, (_, k) => (rng.next() < accuracy ? k % 10 : rng.nextInt(10)));
    if (!LIGHT) insertPredictions.run(runId, Buffer.from(Uint32Array.from({ length: testExamples }, (_, k) => k).buffer), Buffer.from(predicted), Buffer.from(Float32Array.from({ length: testExamples }, () => 0.5 + rng.next() / 2).buffer));
  }
});
for (let from = 0; from < RUNS; from += 500) write(from, Math.min(RUNS, from + 500));
db.pragma('wal_checkpoint(TRUNCATE)');
db.close();
console.log(`wrote ${RUNS} runs × ${EPOCHS} epochs to ${home} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  const { values } = parseArgs({ options: { runs: { type: 'string', default: '1000' }, out: { type: 'string' }, epochs: { type: 'string', default: '30' }, seed: { type: 'string', default: '1' }, light: { type: 'boolean', default: false }, 'no-auto-vacuum': { type: 'boolean', default: false } } });
  if (!values.out) throw new Error('--out DIR is required');
  generateLab({ runs: Number(values.runs), out: values.out, epochs: Number(values.epochs), seed: Number(values.seed), light: values.light, noAutoVacuum: values['no-auto-vacuum'] });
}
