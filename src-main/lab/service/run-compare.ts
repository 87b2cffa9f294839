// Comparing runs: a flat config table with "differs" flags, an aligned layer-by-layer
// architecture diff, and an image-by-image diff of two runs' stored test predictions.
import {
  analyzeArchitecture,
  architectureLine,
  describeLayer,
  INPUT_REF,
  type ConfigDiffRow,
  type LayerDiffCell,
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

interface AlignedLayer {
  type: string;
  /** Whether the spec names the layer (automatic names shift when a layer is inserted, so they match nothing). */
  named: boolean;
  cell: LayerDiffCell;
}

/** Alignment scores: the same layer pairs best, the same layer type with other settings pairs as "changed", and
 *  layers of different types never pair (each gets its own row, the other runs empty there). */
function pairScore(row: AlignedLayer, layer: AlignedLayer): number {
  if (row.type !== layer.type) return -Infinity;
  // Layers are matched by name first (a graph's named layers keep their row when others are added), then by position.
  if (row.named && layer.named && row.cell.name === layer.cell.name) return 3;
  return row.cell.description === layer.cell.description ? 2 : 1;
}

/**
 * Global alignment (Needleman–Wunsch, gaps free) of the rows built so far against one more run's layers. Returns,
 * in order, pairs [row index | null, layer index | null].
 */
function align(rows: readonly AlignedLayer[], layers: readonly AlignedLayer[]): [number | null, number | null][] {
  const m = rows.length;
  const n = layers.length;
  const best: number[][] = Array.from({ length: m + 1 }, () => new Array<number>(n + 1).fill(0));
  for (let i = m - 1; i >= 0; i--) {
    for (let j = n - 1; j >= 0; j--) {
      const pair = pairScore(rows[i] as AlignedLayer, layers[j] as AlignedLayer) + (best[i + 1]?.[j + 1] ?? 0);
      best[i]![j] = Math.max(pair, best[i + 1]?.[j] ?? 0, best[i]?.[j + 1] ?? 0);
    }
  }
  const out: [number | null, number | null][] = [];
  let i = 0;
  let j = 0;
  while (i < m || j < n) {
    if (i < m && j < n && best[i]![j] === pairScore(rows[i] as AlignedLayer, layers[j] as AlignedLayer) + (best[i + 1]?.[j + 1] ?? 0)) {
      out.push([i++, j++]);
    } else if (i < m && (j >= n || best[i]![j] === (best[i + 1]?.[j] ?? 0))) {
      out.push([i++, null]);
    } else {
      out.push([null, j++]);
    }
  }
  return out;
}

/**
 * The runs' layers side by side, aligned: the same layer of every run on one row, a changed layer (same type, other
 * settings) on one row marked as differing, and a layer only some runs have on a row of its own (empty elsewhere) —
 * so one inserted layer does not make every later row look changed.
 */
export function architectureDiff(runs: readonly RunSummary[]): LayerDiffRow[] {
  const perRun = runs.map((run): AlignedLayer[] => {
    const analysis = analyzeArchitecture(run.architecture);
    // Spec order: the order the user wrote the layers in, so a branch written together stays together.
    return run.architecture.layers.map((layer, i) => {
      const info = analysis.layers.find((l) => l.index === i);
      const cell: LayerDiffCell = { name: info?.name ?? layer.name ?? `layer_${i + 1}`, description: describeLayer(layer), outputShape: info?.outputShape ?? [], params: info?.params ?? 0 };
      if (analysis.functional) cell.inbound = info?.inbound ?? layer.inbound ?? [];
      return { type: layer.type, named: layer.name !== undefined, cell };
    });
  });
  // Each row: its cells per run so far, and the layer it is aligned on (the latest run's layer there).
  let rows: { cells: (LayerDiffCell | null)[]; key: AlignedLayer }[] = [];
  perRun.forEach((layers, r) => {
    const next: typeof rows = [];
    for (const [ri, li] of align(
      rows.map((row) => row.key),
      layers,
    )) {
      const row = ri === null ? { cells: new Array<LayerDiffCell | null>(r).fill(null), key: layers[li as number] as AlignedLayer } : (rows[ri] as (typeof rows)[number]);
      const layer = li === null ? null : (layers[li] as AlignedLayer);
      next.push({ cells: [...row.cells, layer?.cell ?? null], key: layer ?? row.key });
    }
    rows = next;
  });
  // Where each run's layers ended up, so graph wiring compares by row, not by (run-specific) name.
  const rowOf = runs.map((_, r) => new Map(rows.flatMap((row, i) => (row.cells[r] ? [[(row.cells[r] as LayerDiffCell).name, i] as const] : []))));
  let group = 0;
  let previousPresence: string | null = null;
  return rows.map((row, i) => {
    const present = row.cells.filter((c): c is LayerDiffCell => c !== null);
    // Between graphs, a layer fed from other rows differs even with the same settings (a moved skip connection).
    const wired = present.every((c) => c.inbound !== undefined);
    const wiring = (c: LayerDiffCell, r: number) => (wired ? `|${(c.inbound ?? []).map((name) => (name === INPUT_REF ? 'input' : String(rowOf[r]?.get(name)))).join(',')}` : '');
    const keys = row.cells.map((c, r) => (c ? `${c.description}|${c.outputShape.join('x')}${wiring(c, r)}` : null));
    const presence = row.cells.map((c) => (c ? '1' : '0')).join('');
    const partial = presence.includes('0');
    if (partial && presence !== previousPresence) group++;
    previousPresence = partial ? presence : null;
    return { position: i + 1, layers: row.cells, differs: new Set(keys).size > 1, group: partial ? group : null };
  });
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
