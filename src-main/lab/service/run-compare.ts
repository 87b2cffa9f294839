// Comparing runs: a flat config table with "differs" flags, a positional layer-by-layer
// architecture diff, and an image-by-image diff of two runs' stored test predictions.
import {
  analyzeArchitecture,
  architectureLine,
  describeLayer,
  type ConfigDiffRow,
  type LayerDiffRow,
  type PredictionComparison,
  type RunSummary,
} from '../../../src-shared/index.ts';
import type { TestPredictions } from '../training/trainer-protocol.ts';

const LABELS: Record<string, string> = {
  'compile.optimizer.name': 'optimizer',
  'compile.optimizer.learningRate': 'learning rate',
  'train.batchSize': 'batch size',
  'train.epochs': 'epochs',
  'train.trainExamples': 'train examples',
  'train.testExamples': 'test examples',
  'train.validation.kind': 'validation',
  'train.validation.fraction': 'validation fraction',
  'train.shuffle': 'shuffle',
  'train.seed': 'seed',
};

/** Nested settings as dotted keys with printable values: {a: {b: 1}} -> a.b = "1". */
function flatten(prefix: string, value: unknown, out: Map<string, string>): void {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flatten(prefix ? `${prefix}.${k}` : k, v, out);
  } else {
    out.set(prefix, Array.isArray(value) ? value.join(', ') : String(value));
  }
}

function settingsOf(run: RunSummary): Map<string, string> {
  const out = new Map<string, string>();
  out.set('architecture', architectureLine(run.architecture));
  out.set('totalParams', String(run.totalParams));
  flatten('compile', run.compile, out);
  flatten('train', run.train, out);
  out.set('dataset', `${run.dataset.name} (${run.dataset.hash.slice(0, 12)})`);
  out.set('backend', run.backend ?? '—');
  out.set('parent', run.parentRunId === null ? '—' : `#${run.parentRunId}`);
  return out;
}

/** Every setting of every run, in a stable order; `differs` marks what is not shared by all. */
export function configDiff(runs: readonly RunSummary[]): ConfigDiffRow[] {
  const maps = runs.map(settingsOf);
  const keys: string[] = [];
  for (const m of maps) for (const k of m.keys()) if (!keys.includes(k)) keys.push(k);
  return keys.map((key) => {
    const values = maps.map((m) => m.get(key) ?? null);
    return { key, label: LABELS[key] ?? key.replace(/^(compile|train)\./, '').replace(/\./g, ' '), values, differs: new Set(values).size > 1 };
  });
}

/** Layer i of each run side by side; a row differs when a description or a shape differs. */
export function architectureDiff(runs: readonly RunSummary[]): LayerDiffRow[] {
  const analysed = runs.map((r) => ({ spec: r.architecture, analysis: analyzeArchitecture(r.architecture) }));
  const depth = Math.max(0, ...analysed.map((a) => a.spec.layers.length));
  const rows: LayerDiffRow[] = [];
  for (let i = 0; i < depth; i++) {
    const layers = analysed.map(({ spec, analysis }) => {
      const layer = spec.layers[i];
      if (!layer) return null;
      const info = analysis.layers[i];
      return { name: info?.name ?? `layer_${i + 1}`, description: describeLayer(layer), outputShape: info?.outputShape ?? [], params: info?.params ?? 0 };
    });
    const keys = layers.map((l) => (l ? `${l.description}|${l.outputShape.join('x')}` : null));
    rows.push({ position: i + 1, layers, differs: new Set(keys).size > 1 });
  }
  return rows;
}

export interface PredictionFilter {
  trueLabel?: number;
  predictedLabel?: number;
  limit: number;
}

/**
 * Images whose predicted class changed from run A to run B, on the test indices both runs
 * predicted. With predictedLabel, only those that entered or left that column: exactly the
 * images behind a cell of the difference matrix (B − A).
 */
export function diffPredictions(
  a: TestPredictions,
  b: TestPredictions,
  labels: Uint8Array,
  filter: PredictionFilter,
): Omit<PredictionComparison, 'images'> & { changes: { index: number; label: number; predictedA: number; predictedB: number }[] } {
  const inB = new Map<number, number>();
  b.testIndices.forEach((index, i) => inB.set(index, i));
  let shared = 0;
  let fixed = 0;
  let broken = 0;
  let changed = 0;
  let matched = 0;
  const changes: { index: number; label: number; predictedA: number; predictedB: number }[] = [];
  for (let i = 0; i < a.testIndices.length; i++) {
    const index = a.testIndices[i] as number;
    const j = inB.get(index);
    if (j === undefined) continue;
    shared++;
    const predictedA = a.predicted[i] ?? 0;
    const predictedB = b.predicted[j] ?? 0;
    if (predictedA === predictedB) continue;
    const label = labels[index] ?? 0;
    changed++;
    if (predictedA !== label && predictedB === label) fixed++;
    if (predictedA === label && predictedB !== label) broken++;
    if (filter.trueLabel !== undefined && label !== filter.trueLabel) continue;
    if (filter.predictedLabel !== undefined && predictedA !== filter.predictedLabel && predictedB !== filter.predictedLabel) continue;
    matched++;
    if (changes.length < filter.limit) changes.push({ index, label, predictedA, predictedB });
  }
  return { sharedExamples: shared, fixed, broken, changed, matched, changes };
}
