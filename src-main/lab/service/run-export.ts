// A run's history as the seed's DataFrame: CSV (one row per epoch) or JSON (the whole record);
// many runs as one CSV; a Python/Keras snippet that rebuilds the architecture and compile.
import {
  analyzeArchitecture,
  architectureLine,
  INPUT_REF,
  KERAS_INPUT_NAME,
  describeOptimizer,
  pair,
  type CompileConfig,
  type ExportedFile,
  type LayerSpec,
  type RunDetail,
  type RunSummary,
  type EpochMetrics,
} from '../../../src-shared/index.ts';

const HISTORY_COLUMNS = ['epoch', 'loss', 'acc', 'val_loss', 'val_acc', 'seconds'] as const;

function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function slug(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'run';
}

export function historyCsv(run: RunDetail): string {
  const rows = run.epochs.map((e) => HISTORY_COLUMNS.map((c) => csvCell(e[c])).join(','));
  return [HISTORY_COLUMNS.join(','), ...rows].join('\n') + '\n';
}

export function exportRun(run: RunDetail, format: 'csv' | 'json' | 'keras'): ExportedFile {
  const base = `layerlab-run-${run.id}-${slug(run.name)}`;
  if (format === 'csv') return { filename: `${base}-history.csv`, mimeType: 'text/csv', content: historyCsv(run) };
  if (format === 'keras') return { filename: `${slug(run.name).replace(/-/g, '_')}_model.py`, mimeType: 'text/x-python', content: kerasSnippet(run) };
  const { batchLosses: _omitBatches, ...record } = run;
  return {
    filename: `${base}.json`,
    mimeType: 'application/json',
    content: JSON.stringify({ format: 'layerlab-run', version: 1, ...record, history: run.epochs }, null, 2) + '\n',
  };
}

const RUN_COLUMNS = ['run_id', 'run_name', 'status', 'parent_run_id', 'architecture', 'total_params', 'optimizer', 'learning_rate', 'batch_size', 'epochs_planned', 'seed', 'train_examples', 'test_examples', 'backend', 'test_loss', 'test_acc'] as const;

/** Every chosen run's history in one table: one row per run and epoch (a run without epochs still gets a row). */
export function runsCsv(runs: readonly (RunSummary & { epochs: EpochMetrics[] })[]): ExportedFile {
  const lines = [[...RUN_COLUMNS, ...HISTORY_COLUMNS].join(',')];
  for (const run of runs) {
    const fixed = [run.id, run.name, run.status, run.parentRunId, architectureLine(run.architecture), run.totalParams, run.compile.optimizer.name, run.compile.optimizer.learningRate, run.train.batchSize, run.train.epochs, run.train.seed, run.train.trainExamples, run.train.testExamples, run.backend, run.testLoss, run.testAccuracy].map(csvCell);
    const epochs = run.epochs.length ? run.epochs : [null];
    for (const e of epochs) lines.push([...fixed, ...HISTORY_COLUMNS.map((c) => csvCell(e ? e[c] : null))].join(','));
  }
  return { filename: `layerlab-runs-${runs.map((r) => r.id).join('-').slice(0, 60)}.csv`, mimeType: 'text/csv', content: lines.join('\n') + '\n' };
}

const py = (v: unknown): string => (typeof v === 'boolean' ? (v ? 'True' : 'False') : typeof v === 'string' ? JSON.stringify(v) : Array.isArray(v) ? `(${v.join(', ')})` : String(v));
const kwargs = (entries: [string, unknown][]) => entries.filter(([, v]) => v !== undefined).map(([k, v]) => `${k}=${py(v)}`).join(', ');

function kerasLayer(spec: LayerSpec, name: string): string {
  switch (spec.type) {
    case 'dense':
      return `layers.Dense(${spec.units}, ${kwargs([['activation', spec.activation ?? 'linear'], ['use_bias', spec.useBias ?? true], ['name', name]])})`;
    case 'dropout':
      return `layers.Dropout(${spec.rate}, name=${py(name)})`;
    case 'activation':
      return `layers.Activation(${py(spec.activation)}, name=${py(name)})`;
    case 'flatten':
      return `layers.Flatten(name=${py(name)})`;
    case 'conv2d':
      return `layers.Conv2D(${spec.filters}, ${kwargs([['kernel_size', pair(spec.kernelSize)], ['strides', pair(spec.strides ?? 1)], ['padding', spec.padding ?? 'valid'], ['activation', spec.activation ?? 'linear'], ['use_bias', spec.useBias ?? true], ['name', name]])})`;
    case 'maxPooling2d':
      return `layers.MaxPooling2D(${kwargs([['pool_size', pair(spec.poolSize ?? 2)], ['strides', pair(spec.strides ?? spec.poolSize ?? 2)], ['padding', spec.padding ?? 'valid'], ['name', name]])})`;
    case 'batchNormalization':
      return `layers.BatchNormalization(${kwargs([['momentum', spec.momentum ?? 0.99], ['epsilon', spec.epsilon ?? 1e-3], ['name', name]])})`;
    case 'add':
      return `layers.Add(name=${py(name)})`;
    case 'concatenate':
      return `layers.Concatenate(name=${py(name)})`;
    case 'globalAveragePooling2d':
      return `layers.GlobalAveragePooling2D(name=${py(name)})`;
    case 'averagePooling2d':
      return `layers.AveragePooling2D(${kwargs([['pool_size', pair(spec.poolSize ?? 2)], ['strides', pair(spec.strides ?? spec.poolSize ?? 2)], ['padding', spec.padding ?? 'valid'], ['name', name]])})`;
    case 'reshape':
      return `layers.Reshape(${py(spec.targetShape.length === 1 ? [`${spec.targetShape[0]},`] : spec.targetShape)}, name=${py(name)})`;
  }
}

function kerasOptimizer(compile: CompileConfig): string {
  const o = compile.optimizer;
  switch (o.name) {
    case 'sgd':
      return `keras.optimizers.SGD(${kwargs([['learning_rate', o.learningRate], ['momentum', o.momentum], ['nesterov', o.nesterov]])})`;
    case 'adam':
      return `keras.optimizers.Adam(${kwargs([['learning_rate', o.learningRate], ['beta_1', o.beta1], ['beta_2', o.beta2], ['epsilon', o.epsilon]])})`;
    case 'rmsprop':
      return `keras.optimizers.RMSprop(${kwargs([['learning_rate', o.learningRate], ['rho', o.rho], ['momentum', o.momentum], ['epsilon', o.epsilon]])})`;
    case 'adagrad':
      return `keras.optimizers.Adagrad(${kwargs([['learning_rate', o.learningRate], ['initial_accumulator_value', o.initialAccumulatorValue]])})`;
  }
}

const PYTHON_KEYWORDS = new Set(
  'False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield'.split(' '),
);
/** Names the snippet itself uses; a layer named so gets a trailing _ for its variable. */
const SNIPPET_NAMES = new Set(['keras', 'layers', 'model', 'inputs', 'history', 'x_train', 'y_train', 'x_test', 'y_test']);
const pythonVariable = (name: string): string => (PYTHON_KEYWORDS.has(name) || SNIPPET_NAMES.has(name) ? `${name}_` : name);

/** The model in Keras' functional API: one line per layer, applied to its inbound tensors in topological order. */
function functionalModelLines(run: RunSummary): string[] {
  const analysis = analyzeArchitecture(run.architecture);
  const variable = (name: string) => (name === INPUT_REF ? 'inputs' : pythonVariable(name));
  const lines = [`inputs = keras.Input(shape=${inputShapePy(run)}, name=${py(KERAS_INPUT_NAME)})`];
  for (const index of analysis.order) {
    const info = analysis.layers.find((l) => l.index === index);
    const spec = run.architecture.layers[index];
    if (!info || !spec) throw new Error(`layer ${index + 1} of run ${run.id} has no analysis`);
    const args = info.inbound.map(variable);
    lines.push(`${variable(info.name)} = ${kerasLayer(spec, info.name)}(${args.length === 1 ? args[0] : `[${args.join(', ')}]`})`);
  }
  const output = analysis.layers.find((l) => l.index === analysis.outputIndex);
  lines.push(`model = keras.Model(inputs=inputs, outputs=${variable(output?.name ?? '')}, name="model_1")`);
  return lines;
}

const inputShapePy = (run: RunSummary): string => py(run.architecture.inputShape.length === 1 ? [`${run.architecture.inputShape[0]},`] : run.architecture.inputShape);

/** Python that rebuilds the run's model and compile settings in Keras (TF 2.x): Sequential, or the functional API for a graph. */
export function kerasSnippet(run: RunSummary): string {
  const analysis = analyzeArchitecture(run.architecture);
  const names = analysis.layers.map((l) => l.name);
  const t = run.train;
  const validation = t.validation.kind === 'testSet' ? 'validation_data=(x_test, y_test)' : t.validation.kind === 'split' ? `validation_split=${t.validation.fraction}` : null;
  return [
    `# Layerlab run ${run.id} "${run.name.replace(/[\r\n]/g, ' ')}": architecture and compile settings in Keras.`,
    `# ${describeOptimizer(run.compile.optimizer)}, batch ${t.batchSize}, ${t.epochs} epochs, seed ${t.seed}.`,
    'from tensorflow import keras',
    'from tensorflow.keras import layers',
    '',
    `keras.utils.set_random_seed(${t.seed})`,
    '',
    ...(analysis.functional
      ? functionalModelLines(run)
      : [
          `model = keras.Sequential(name="sequential_1", layers=[`,
          `    keras.Input(shape=${inputShapePy(run)}),`,
          ...run.architecture.layers.map((l, i) => `    ${kerasLayer(l, names[i] ?? `layer_${i + 1}`)},`),
          '])',
        ]),
    '',
    'model.compile(',
    `    loss="categorical_crossentropy",`,
    `    optimizer=${kerasOptimizer(run.compile)},`,
    '    metrics=["accuracy"],',
    ')',
    'model.summary()',
    '',
    `# history = model.fit(x_train, y_train, batch_size=${t.batchSize}, epochs=${t.epochs}, ${validation ? `${validation}, ` : ''}shuffle=${py(t.shuffle)})`,
    '',
  ].join('\n');
}
