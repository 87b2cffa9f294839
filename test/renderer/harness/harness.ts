// Dev-only harness: the real renderer over a simulated lab that "trains" in the page, so
// every screen can be looked at (and screenshotted) without the core. Not shipped.
import '../../../src-renderer/lib/strict-csp.ts';
import '../../../src-renderer/styles/app.css';
import type { MisclassifiedImage } from '../../../src-shared/api.ts';
import type { Evaluation, EpochMetrics, RunDetail, RunEvent } from '../../../src-shared/runs.ts';
import type { StartRunParsed } from '../../../src-shared/schemas.ts';
import { StartRunSchema } from '../../../src-shared/schemas.ts';
import { boot } from '../../../src-renderer/boot.ts';
import { FakeLab, sampleEvaluation, sampleRun } from '../fake-lab.ts';

const params = new URLSearchParams(location.search);
const speed = Number(params.get('speed') ?? '1');
const lab = new FakeLab();
const runs = new Map<number, RunDetail>();
let nextId = 1;
let paused = false;
let stopRequested = false;

function digit(label: number, wobble: number): string {
  const c = document.createElement('canvas');
  c.width = 28;
  c.height = 28;
  const ctx = c.getContext('2d')!;
  ctx.fillStyle = '#000';
  ctx.fillRect(0, 0, 28, 28);
  ctx.fillStyle = '#fff';
  ctx.font = `${20 + (wobble % 4)}px sans-serif`;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  ctx.translate(14, 15);
  ctx.rotate(((wobble % 7) - 3) * 0.08);
  ctx.fillText(String(label), 0, 0);
  const data = ctx.getImageData(0, 0, 28, 28).data;
  let bin = '';
  for (let i = 0; i < 784; i++) bin += String.fromCharCode(data[i * 4]!);
  return btoa(bin);
}

function misclassified(filter: { trueLabel?: number; predictedLabel?: number }): MisclassifiedImage[] {
  const pairs: [number, number][] = [[4, 9], [9, 4], [3, 8], [8, 3], [7, 2], [5, 3], [2, 7], [9, 7], [6, 0], [1, 7]];
  const out: MisclassifiedImage[] = [];
  for (let i = 0; i < 40; i++) {
    const [t, p] = pairs[i % pairs.length]!;
    if (filter.trueLabel !== undefined && t !== filter.trueLabel) continue;
    if (filter.predictedLabel !== undefined && p !== filter.predictedLabel) continue;
    out.push({ index: 100 + i, label: t, predicted: p, confidence: 0.4 + ((i * 37) % 60) / 100, pixels: digit(t, i) });
  }
  return out;
}

function evaluation(): Evaluation {
  const base = sampleEvaluation();
  const m = base.confusionMatrix.map((row, t) => row.map((v, p) => (t === p ? 940 + ((t * 13) % 50) : v * 3 + ((t * 7 + p * 3) % 5 === 0 ? 2 : 0))));
  const totals = m.map((r) => r.reduce((a, b) => a + b, 0));
  const colTotals = m[0]!.map((_, p) => m.reduce((s, r) => s + r[p]!, 0));
  const perClass = m.map((row, label) => {
    const precision = row[label]! / colTotals[label]!;
    const recall = row[label]! / totals[label]!;
    return { label, precision, recall, f1: (2 * precision * recall) / (precision + recall), support: totals[label]! };
  });
  const correct = m.reduce((s, r, i) => s + r[i]!, 0);
  return { loss: 0.2593, accuracy: correct / totals.reduce((a, b) => a + b, 0), confusionMatrix: m, perClass, examples: totals.reduce((a, b) => a + b, 0) };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms / speed));

async function simulate(runId: number, req: StartRunParsed) {
  const emit = (e: RunEvent) => lab.emit(e);
  const detail = runs.get(runId)!;
  const fit = req.train.validation.kind === 'split' ? Math.floor(req.train.trainExamples * (1 - req.train.validation.fraction)) : req.train.trainExamples;
  const bpe = Math.ceil(fit / req.train.batchSize);
  await sleep(300);
  detail.status = 'running';
  emit({ type: 'started', runId, backend: 'wasm', epochs: req.train.epochs, batchesPerEpoch: bpe, trainExamples: fit, validationExamples: 10_000 });
  const step = Math.max(1, Math.round(bpe / 24));
  for (let epoch = 1; epoch <= req.train.epochs; epoch++) {
    const t0 = performance.now();
    for (let b = 1; b <= bpe; b += step) {
      while (paused && !stopRequested) await sleep(100);
      if (stopRequested) break;
      const last = Math.min(bpe, b + step - 1);
      const losses = Array.from({ length: last - b + 1 }, (_, k) => {
        const t = epoch - 1 + (b + k) / bpe;
        return 0.25 + 2.05 * Math.exp(-1.6 * t) + 0.12 * Math.sin((b + k) * 1.7) * Math.exp(-0.3 * t) + Math.random() * 0.08;
      });
      emit({ type: 'progress', runId, epoch, batch: last, batchesPerEpoch: bpe, firstBatch: b, losses, acc: 0.92 - 0.6 * Math.exp(-1.5 * epoch) });
      await sleep(100);
    }
    if (stopRequested) break;
    const row: EpochMetrics = {
      epoch,
      loss: 0.26 + 0.9 * Math.exp(-0.85 * (epoch - 1)) ,
      acc: 0.924 - 0.16 * Math.exp(-0.75 * (epoch - 1)),
      val_loss: 0.25 + 0.34 * Math.exp(-0.6 * (epoch - 1)),
      val_acc: 0.928 - 0.06 * Math.exp(-0.6 * (epoch - 1)),
      seconds: (performance.now() - t0) / 1000,
    };
    detail.epochs.push(row);
    detail.epochsCompleted = epoch;
    emit({ type: 'epoch', runId, ...row });
  }
  const ev = evaluation();
  detail.status = stopRequested ? 'stopped' : 'completed';
  detail.evaluation = ev;
  detail.testAccuracy = ev.accuracy;
  detail.testLoss = ev.loss;
  stopRequested = false;
  paused = false;
  emit({ type: 'evaluated', runId, evaluation: ev });
  emit({ type: 'finished', runId, status: detail.status as 'completed' | 'stopped', reason: detail.status === 'stopped' ? 'stopped by the user' : null, evaluation: ev });
}

lab
  .on('startRun', (payload) => {
    const req = StartRunSchema.parse(payload);
    const runId = nextId++;
    runs.set(runId, sampleRun(runId, { name: req.name ?? `run-${runId}`, status: 'queued', architecture: req.architecture, compile: req.compile, train: req.train, epochs: [], evaluation: null, epochsCompleted: 0 }));
    void simulate(runId, req);
    return { runId };
  })
  .on('stopRun', (p) => {
    stopRequested = true;
    return { runId: (p as { runId: number }).runId, stopping: true };
  })
  .on('pauseRun', (p) => {
    const { runId } = p as { runId: number };
    paused = true;
    setTimeout(() => lab.emit({ type: 'paused', runId, epoch: runs.get(runId)!.epochsCompleted + 1, batch: 120 }), 50);
    return { runId };
  })
  .on('resumeRun', (p) => {
    const { runId } = p as { runId: number };
    paused = false;
    setTimeout(() => lab.emit({ type: 'resumed', runId, epoch: runs.get(runId)!.epochsCompleted + 1, batch: 120 }), 50);
    return { runId };
  })
  .on('setLearningRate', (p) => {
    const { runId, learningRate } = p as { runId: number; learningRate: number };
    setTimeout(() => lab.emit({ type: 'learningRate', runId, epoch: runs.get(runId)!.epochsCompleted + 1, batch: 120, learningRate }), 50);
    return { runId, learningRate };
  })
  .on('listRuns', () => [...runs.values()])
  .on('getRun', (p) => {
    const run = runs.get((p as { runId: number }).runId);
    if (!run) throw new Error('no such run');
    return run;
  })
  .on('getEvaluation', (p) => runs.get((p as { runId: number }).runId)?.evaluation ?? null)
  .on('getMisclassified', (p) => misclassified(p as { trueLabel?: number; predictedLabel?: number }))
  .on('estimateEpoch', () => ({ backend: 'wasm', secondsPerBatch: 0.0107, batchesPerEpoch: 469, secondsPerEpoch: 5.02, totalParams: 407_050, weightBytes: 1_628_200 }));

(window as unknown as { __lab: FakeLab }).__lab = lab;
boot(document.getElementById('app')!, lab.transport);
