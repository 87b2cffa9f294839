// An in-memory lab for renderer tests: createApi over a Transport whose commands are canned
// (or overridden per test) and whose events the test emits by hand.
import type { CommandName, DatasetInfo, EventName, EventPayloads, MisclassifiedImage, SystemInfo } from '../../src-shared/api.ts';
import { createApi, type Transport } from '../../src-shared/create-api.ts';
import { architectureLine, runDurationSeconds, runListItem, type CheckpointInfo, type Evaluation, type RunComparison, type RunDetail, type RunEvent, type RunListItem, type RunSortKey, type RunSummary } from '../../src-shared/runs.ts';
import { QueryRunsSchema, type CheckpointRef } from '../../src-shared/schemas.ts';
import { PRESETS } from '../../src-shared/presets.ts';
import { CompileConfigSchema, TrainConfigSchema } from '../../src-shared/training-config.ts';

export const MNIST: DatasetInfo = {
  name: 'mnist',
  title: 'MNIST',
  hash: 'abc123',
  trainExamples: 60_000,
  testExamples: 10_000,
  imageShape: [28, 28],
  builtIn: true,
};

export const SYSTEM_INFO: SystemInfo = {
  version: '0.1.0',
  home: '/tmp/layerlab-test',
  databasePath: '/tmp/layerlab-test/lab.sqlite',
  backend: {
    chosen: 'wasm',
    requested: 'auto',
    probes: [
      { backend: 'tensorflow-gpu', available: false, reason: 'package @tensorflow/tfjs-node-gpu is not installed' },
      {
        backend: 'webgpu',
        available: false,
        reason: 'only a software adapter was found (llvmpipe-llvm-15-0-6-256-bits- (OpenGL ES 3.2 Mesa 22.3.6) [software]); it is slower than wasm, so it is used only with --backend webgpu and LAYERLAB_WEBGPU_ALLOW_SOFTWARE=1',
      },
      { backend: 'tensorflow', available: false, reason: 'package @tensorflow/tfjs-node is not installed' },
      { backend: 'wasm', available: true, reason: null },
      { backend: 'cpu', available: true, reason: null },
    ],
    versions: { '@tensorflow/tfjs': '4.22.0' },
    adapter: {
      vendor: '',
      architecture: '',
      device: 'llvmpipe-llvm-15-0-6-256-bits-',
      description: 'OpenGL ES 3.2 Mesa 22.3.6',
      api: 'opengles',
      featureLevel: 'compatibility',
      software: true,
      limits: { maxStorageBufferBindingSize: 134_217_728, maxBufferSize: 2_147_483_648, maxComputeWorkgroupStorageSize: 32_768, maxComputeInvocationsPerWorkgroup: 1024 },
    },
  },
  datasets: [MNIST],
  memoryBudgetBytes: 8 * 2 ** 30,
};

/** A 3-class-looking 10×10 matrix: mostly right, 4↔9 and 3↔8 confused like the seed's. */
export function sampleMatrix(): number[][] {
  return Array.from({ length: 10 }, (_, t) =>
    Array.from({ length: 10 }, (_, p) => (t === p ? 90 : (t === 4 && p === 9) || (t === 3 && p === 8) ? 8 : t === 9 && p === 4 ? 5 : 0)),
  );
}

export function sampleEvaluation(): Evaluation {
  const confusionMatrix = sampleMatrix();
  return {
    loss: 0.0905,
    accuracy: 0.9738,
    confusionMatrix,
    perClass: confusionMatrix.map((row, label) => ({ label, precision: 0.97, recall: 0.96, f1: 0.965, support: row.reduce((a, b) => a + b, 0) })),
    examples: 10_000,
  };
}

export function pixels(fill = 0): string {
  return btoa(String.fromCharCode(...new Uint8Array(784).fill(fill)));
}

export function sampleMisclassified(): MisclassifiedImage[] {
  return [
    { index: 11, label: 4, predicted: 9, confidence: 0.62, pixels: pixels(10) },
    { index: 12, label: 3, predicted: 8, confidence: 0.91, pixels: pixels(20) },
    { index: 13, label: 9, predicted: 4, confidence: 0.75, pixels: pixels(30) },
  ];
}

/** What getMisclassified answers: the final sample, or for an epoch checkpoint other images (index + 100 × epoch). */
export function misclassifiedFor(payload: unknown): MisclassifiedImage[] {
  const checkpoint = (payload as { checkpoint?: CheckpointRef } | undefined)?.checkpoint;
  if (!checkpoint || checkpoint.kind !== 'epoch') return sampleMisclassified();
  return sampleMisclassified().map((img) => ({ ...img, index: img.index + 100 * checkpoint.epoch }));
}

/** Final, best and one checkpoint per epoch 1…n. */
export function sampleCheckpoints(epochs: number): CheckpointInfo[] {
  return [
    { kind: 'final', epoch: epochs, valLoss: 0.3, bytes: 1000 },
    { kind: 'best', epoch: epochs, valLoss: 0.3, bytes: 1000 },
    ...Array.from({ length: epochs }, (_, i) => ({ kind: 'epoch' as const, epoch: i + 1, valLoss: 1 / (i + 1), bytes: 1000 })),
  ];
}

export function sampleRun(id: number, overrides: Partial<RunDetail> = {}): RunDetail {
  const summary: RunSummary = {
    id,
    name: `run-${id}`,
    status: 'completed',
    createdAt: '2025-01-01T00:00:00Z',
    startedAt: '2025-01-01T00:00:01Z',
    finishedAt: '2025-01-01T00:01:00Z',
    architecture: PRESETS[0]!.architecture,
    compile: CompileConfigSchema.parse({}),
    train: TrainConfigSchema.parse({}),
    seed: 42,
    dataset: { name: 'mnist', hash: 'abc123' },
    backend: 'wasm',
    epochsCompleted: 10,
    last: null,
    testAccuracy: 0.9738,
    testLoss: 0.0905,
    statusReason: null,
    totalParams: 407_050,
    tags: [],
    notes: '',
    parentRunId: null,
  };
  return { ...summary, epochs: [], batchLosses: [], evaluation: sampleEvaluation(), checkpoints: [], log: [], backendReport: null, ...overrides };
}

/** What compareRuns answers for these runs: the learning rate differs, nothing else. */
export function sampleComparison(runIds: number[]): RunComparison {
  const runs = runIds.map((id, i) => {
    const r = sampleRun(id);
    return { ...r, compile: { ...r.compile, optimizer: { ...r.compile.optimizer, learningRate: 0.1 / (i + 1) } } };
  });
  return {
    runs,
    histories: runs.map((_, i) => [1, 2].map((epoch) => ({ epoch, loss: 1 / epoch + i, acc: 0.8, val_loss: 0.5, val_acc: 0.85, seconds: 1 }))),
    evaluations: runs.map(() => sampleEvaluation()),
    checkpointEpochs: runs.map(() => [1, 2]),
    config: [
      { key: 'compile.optimizer.learningRate', label: 'learning rate', values: runs.map((r) => String(r.compile.optimizer.learningRate)), differs: true },
      { key: 'train.batchSize', label: 'batch size', values: runs.map(() => '128'), differs: false },
    ],
    layers: [{ position: 1, layers: runs.map(() => ({ name: 'dense_1', description: 'Dense(512, relu)', outputShape: [512], params: 401_920 })), differs: false, group: null }],
  };
}

type Handler = (payload: unknown) => unknown;

/** The value a column sorts by; missing values sort last whatever the direction (as the store does). */
function sortValue(run: RunSummary, key: RunSortKey): number | string | null {
  switch (key) {
    case 'id':
      return run.id;
    case 'name':
      return run.name.toLowerCase();
    case 'status':
      return run.status;
    case 'valAcc':
      return run.last?.val_acc ?? null;
    case 'testAcc':
      return run.testAccuracy;
    case 'duration':
      return runDurationSeconds(run);
    case 'params':
      return run.totalParams;
  }
}

/** The store's queryRuns over an in-memory list: every search word matches some text, filters, sort, page. */
export function queryInMemory(all: readonly RunSummary[], payload: unknown) {
  const q = QueryRunsSchema.parse(payload);
  const words = (q.search ?? '').toLowerCase().split(/\s+/).filter(Boolean);
  const withWeights = (r: RunSummary) => ((r as Partial<RunDetail>).checkpoints ?? []).length > 0;
  const matching = all.filter((r) => {
    if (q.status && r.status !== q.status) return false;
    if (q.tag !== undefined && !r.tags.includes(q.tag)) return false;
    if (q.has === 'weights' && !withWeights(r)) return false;
    if (q.has === 'evaluation' && r.testAccuracy === null) return false;
    const haystack = `#${r.id} ${r.name} ${r.tags.join(' ')} ${r.notes} ${architectureLine(r.architecture)} ${r.compile.optimizer.name} ${r.backend ?? ''}`.toLowerCase();
    return words.every((w) => haystack.includes(w));
  });
  const sorted = [...matching].sort((a, b) => {
    const va = sortValue(a, q.sort);
    const vb = sortValue(b, q.sort);
    if (va === null || vb === null) return va === vb ? b.id - a.id : va === null ? 1 : -1;
    const order = va < vb ? -1 : va > vb ? 1 : 0;
    return (q.descending ? -order : order) || b.id - a.id;
  });
  const runs: RunListItem[] = sorted.slice(q.offset, q.offset + q.limit).map((r) => {
    const checkpoints = (r as Partial<RunDetail>).checkpoints ?? [];
    return runListItem(r, r.last?.val_acc ?? null, { final: checkpoints.some((c) => c.kind === 'final'), best: checkpoints.some((c) => c.kind === 'best'), epochs: checkpoints.filter((c) => c.kind === 'epoch').length });
  });
  return { runs, total: matching.length, labTotal: all.length, version: all.length, tags: [...new Set(all.flatMap((r) => r.tags))].sort() };
}

export class FakeLab {
  readonly calls: { command: string; payload: unknown }[] = [];
  readonly handlers: Partial<Record<CommandName, Handler>> = {
    getSystemInfo: () => SYSTEM_INFO,
    listDatasets: () => [MNIST],
    listRuns: () => [],
    // Derived from listRuns, so a test that sets the runs once gets pages, polling and bulk delete over them.
    queryRuns: async (p) => queryInMemory(await this.#listed(), p),
    getRunChanges: async (p) => {
      const page = queryInMemory(await this.#listed(), { limit: 500 });
      const { since, shown } = p as { since: number; shown?: number[] };
      const ids = new Set(page.runs.map((r) => r.id));
      // The fake's version is its run count: a poll reloads when runs came or went, and sends nothing otherwise.
      return { version: page.version, labTotal: page.labTotal, changed: since === page.version ? [] : page.runs, gone: (shown ?? []).filter((id) => !ids.has(id)), reload: false };
    },
    deleteRuns: async (p) => {
      const deleted: number[] = [];
      const refused: { runId: number; reason: string }[] = [];
      for (const runId of (p as { runIds: number[] }).runIds) {
        try {
          await this.handlers.deleteRun!({ runId });
          deleted.push(runId);
          this.#deleted.add(runId);
        } catch (err) {
          refused.push({ runId, reason: err instanceof Error ? err.message : String(err) });
        }
      }
      return { deleted, refused };
    },
    startRun: () => ({ runId: 1 }),
    stopRun: (p) => ({ runId: (p as { runId: number }).runId, stopping: true }),
    pauseRun: (p) => ({ runId: (p as { runId: number }).runId }),
    resumeRun: (p) => ({ runId: (p as { runId: number }).runId }),
    setLearningRate: (p) => p,
    getRun: (p) => sampleRun((p as { runId: number }).runId),
    getEvaluation: () => sampleEvaluation(),
    getMisclassified: (p) => misclassifiedFor(p),
    updateRun: (p) => ({ ...sampleRun((p as { runId: number }).runId), ...(p as object) }),
    deleteRun: (p) => ({ runId: (p as { runId: number }).runId, deleted: true }),
    exportRun: (p) => ({ filename: `run-${(p as { runId: number }).runId}.csv`, mimeType: 'text/csv', content: 'epoch,loss\n1,0.5\n' }),
    exportRuns: () => ({ filename: 'layerlab-runs.csv', mimeType: 'text/csv', content: 'run_id,epoch\n1,1\n' }),
    compareRuns: (p) => sampleComparison((p as { runIds: number[] }).runIds),
    comparePredictions: () => ({ sharedExamples: 100, fixed: 2, broken: 1, changed: 4, matched: 1, images: [{ index: 7, label: 4, predictedA: 9, predictedB: 4, pixels: pixels(5) }] }),
    evaluateCheckpoint: (p) => ({ ...sampleEvaluation(), runId: (p as { runId: number }).runId, epoch: (p as { checkpoint: { epoch: number } }).checkpoint.epoch }),
  };
  readonly #listeners = new Map<EventName, Set<(payload: never) => void>>();
  /** Runs deleted through deleteRuns: gone from the pages even when a test's listRuns still returns them. */
  readonly #deleted = new Set<number>();

  async #listed(): Promise<RunSummary[]> {
    return ((await this.handlers.listRuns!({})) as RunSummary[]).filter((r) => !this.#deleted.has(r.id));
  }

  readonly transport: Transport = {
    invoke: async (command, payload) => {
      this.calls.push({ command, payload });
      const handler = this.handlers[command as CommandName];
      if (!handler) throw new Error(`fake lab: no handler for ${command}`);
      return handler(payload);
    },
    subscribe: <E extends EventName>(event: E, listener: (payload: EventPayloads[E]) => void) => {
      const set = this.#listeners.get(event) ?? new Set();
      set.add(listener as (payload: never) => void);
      this.#listeners.set(event, set);
      return () => set.delete(listener as (payload: never) => void);
    },
  };

  readonly api = createApi(this.transport);

  on(command: CommandName, handler: Handler): this {
    this.handlers[command] = handler;
    return this;
  }

  emit(event: RunEvent): void {
    for (const listener of this.#listeners.get('onRunEvent') ?? []) (listener as (e: RunEvent) => void)(event);
  }

  listenerCount(): number {
    return this.#listeners.get('onRunEvent')?.size ?? 0;
  }

  callsOf(command: CommandName): unknown[] {
    return this.calls.filter((c) => c.command === command).map((c) => c.payload);
  }
}

/** Lets pending promise callbacks run. */
export const flush = () => new Promise<void>((resolve) => setTimeout(resolve, 0));
