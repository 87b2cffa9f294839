// LabService: the one implementation of the contract's commands, a thin facade. Training is the
// run supervisor's, running checkpoints the checkpoint scorer's, and reading runs the store's.
// The CLI, the web bridge and Electron IPC all call this class; nothing else writes the database.
import { statSync } from 'node:fs';
import { totalmem } from 'node:os';
import { join } from 'node:path';
import { analyzeArchitecture, describeSweepParams, learningRatePerEpoch, trainingMemoryBudget, type CommandOutput, type CommandParsed, type RunEvent, type Unsubscribe } from '../../../src-shared/index.ts';
import type { ImportStatus } from '../../../src-shared/api.ts';
import { DEFAULT_CSV_OPTIONS, DEFAULT_FOLDER_OPTIONS, type ImportProgress } from '../../../src-shared/dataset-import.ts';
import { DatasetRegistry } from '../data/dataset-registry.ts';
import { DatasetError } from '../data/idx.ts';
import { testImagePixels, testImageShape } from '../data/test-image-pixels.ts';
import { BACKEND_ORDER, probeBackends } from '../engine/backends.ts';
import { DATABASE_FILE } from '../home.ts';
import { LabStore, StoreError } from '../store/lab-store.ts';
import { forkTrainerLauncher } from '../training/fork-trainer-launcher.ts';
import type { TrainerLauncher } from '../training/trainer-protocol.ts';
import { CheckpointScorer } from './checkpoint-scorer.ts';
import type { LabServiceLike } from './lab-service-types.ts';
import { probeWebGpuInTrainer, type WebGpuProbe } from './webgpu-probe.ts';
import { InsideService } from '../inside/inside-service.ts';
import { exportRun, runsCsv } from './run-export.ts';
import { architectureDiff, configDiff, diffPredictions } from './run-compare.ts';
import { checkClassLabel } from './class-label.ts';
import { RunStateError } from './run-state-error.ts';
import { defaultMaxConcurrentRuns, RunSupervisor } from './run-supervisor.ts';
import { expandSweep, SweepError } from '../sweeps/search-space.ts';
import { SweepRunner } from '../sweeps/sweep-runner.ts';
// A static import, so bundles (Electron) inline it instead of resolving a path at run time.
import packageJson from '../../../package.json' with { type: 'json' };

export { RunStateError } from './run-state-error.ts';

const VERSION = packageJson.version;
/** Pages (4 KiB) given back to the disk per step after a delete: a few milliseconds of the event loop each. */
const RECLAIM_PAGES_PER_STEP = 512;

export interface LabServiceOptions {
  home: string;
  trainerLauncher?: TrainerLauncher;
  /** better-sqlite3 build for Electron's ABI. */
  nativeBinding?: string;
  /** What this process is ("layerlab serve", "the Layerlab app"…): other processes name it when they can't touch its runs. */
  processKind?: string;
  /** Runs training at once in this lab (default: one per 2 cores, at least 1). */
  maxConcurrentRuns?: number;
  /** The training memory a run may plan for; default: half of this machine's memory. */
  memoryBudgetBytes?: number;
  /**
   * Run the sweeps' queue in this process (the app, `layerlab serve`): on open, recover items whose process died
   * and start what is queued. A number runs that sweep only (`layerlab sweep`). Absent: queued sweeps wait.
   */
  runSweeps?: boolean | { onlySweep: number };
  /** The built projection worker (Electron's bundle); absent: the TypeScript entry through tsx. */
  projectionWorkerScript?: string;
}

export class LabService implements LabServiceLike {
  private readonly listeners = new Set<(event: RunEvent) => void>();
  private readonly supervisor: RunSupervisor;
  private readonly scorer: CheckpointScorer;
  private readonly memoryBudgetBytes: number;
  private readonly launcher: TrainerLauncher;
  private webgpuProbe: Promise<WebGpuProbe> | null = null;
  private readonly inside: InsideService;
  private readonly sweepRunner: SweepRunner | null = null;
  private closed = false;
  private reclaiming: NodeJS.Timeout | null = null;
  private importing: ImportStatus | null = null;

  private constructor(
    readonly home: string,
    private readonly store: LabStore,
    private readonly datasets: DatasetRegistry,
    options: LabServiceOptions,
  ) {
    this.memoryBudgetBytes = options.memoryBudgetBytes ?? trainingMemoryBudget(totalmem());
    this.launcher = options.trainerLauncher ?? forkTrainerLauncher();
    this.supervisor = new RunSupervisor({
      home,
      store,
      datasets,
      launcher: this.launcher,
      emit: (event) => this.emit(event),
      maxConcurrentRuns: options.maxConcurrentRuns ?? defaultMaxConcurrentRuns(),
      memoryBudgetBytes: this.memoryBudgetBytes,
    });
    if (options.runSweeps) {
      this.sweepRunner = new SweepRunner({
        queue: store.sweeps,
        startRun: (request, tags) => this.supervisor.startRun(request, tags),
        ...(typeof options.runSweeps === 'object' ? { onlySweep: options.runSweeps.onlySweep } : {}),
      });
    }
    this.scorer = new CheckpointScorer(store, datasets, VERSION);
    this.inside = new InsideService(store, datasets, this.scorer, options.projectionWorkerScript);
  }

  static async open(options: LabServiceOptions): Promise<LabService> {
    const store = LabStore.open(join(options.home, DATABASE_FILE), {
      ...(options.nativeBinding ? { nativeBinding: options.nativeBinding } : {}),
      ...(options.processKind ? { ownerKind: options.processKind } : {}),
    });
    const service = new LabService(options.home, store, new DatasetRegistry(options.home), options);
    service.sweepRunner?.recover();
    service.sweepRunner?.pump();
    return service;
  }

  get databasePath(): string {
    return join(this.home, DATABASE_FILE);
  }

  onRunEvent(listener: (event: RunEvent) => void): Unsubscribe {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(event: RunEvent): void {
    if (event.type === 'finished') this.sweepRunner?.runFinished(event.runId, event.status, event.reason);
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // One broken listener (a dropped socket) must not stop the others or the run.
      }
    }
  }

  /** For the app shells (web bridge, Electron): get prediction ready before the first drawing asks. */
  warmUp(): void {
    this.scorer.warmUp();
  }

  async getSystemInfo(): Promise<CommandOutput<'getSystemInfo'>> {
    const packages = probeBackends();
    // The packages being there says little for webgpu: only an adapter does. Looked for once per lab.
    const webgpu = packages.find((p) => p.backend === 'webgpu')?.available ? await (this.webgpuProbe ??= probeWebGpuInTrainer(this.launcher)) : null;
    const probes = packages.map((p) => (p.backend === 'webgpu' && webgpu ? webgpu.probe : p));
    const chosen = probes.find((p) => p.available)?.backend ?? BACKEND_ORDER[BACKEND_ORDER.length - 1] ?? 'cpu';
    return {
      version: VERSION,
      home: this.home,
      databasePath: this.databasePath,
      backend: { chosen, requested: 'auto', probes, versions: { node: process.versions.node, layerlab: VERSION }, ...(webgpu?.adapter ? { adapter: webgpu.adapter } : {}) },
      datasets: this.datasets.list(),
      memoryBudgetBytes: this.memoryBudgetBytes,
    };
  }

  listDatasets(): CommandOutput<'listDatasets'> {
    return this.datasets.list();
  }

  /** Import an image folder or a CSV; one at a time (each holds its images in memory until saved). */
  async importDataset(input: CommandParsed<'importDataset'>): Promise<CommandOutput<'importDataset'>> {
    if (this.importing !== null) throw new DatasetError(`dataset "${this.importing.name}" is being imported; one import at a time`);
    const status: ImportStatus = { name: input.name, source: input.source, progress: { phase: 'reading', done: 0, total: 0, unit: input.source === 'csv' ? 'bytes' : 'images' } };
    this.importing = status;
    const onProgress = (p: ImportProgress) => (status.progress = p);
    try {
      if (input.source === 'folder') {
        const d = DEFAULT_FOLDER_OPTIONS;
        return await this.datasets.importFolder(input.name, input.folder, {
          size: input.size ?? d.size, channels: input.channels ?? d.channels, resize: input.resize ?? d.resize,
          invert: input.invert ?? d.invert, testFraction: input.testFraction ?? d.testFraction, seed: input.seed ?? d.seed,
        }, input.title, onProgress);
      }
      const d = DEFAULT_CSV_OPTIONS;
      return await this.datasets.importCsv(input.name, input.csv, {
        testCsv: input.testCsv ?? d.testCsv, labelColumn: input.labelColumn ?? d.labelColumn, pixelRange: input.pixelRange ?? d.pixelRange,
        size: input.size ?? d.size, channels: input.channels ?? d.channels, testFraction: input.testFraction ?? d.testFraction, seed: input.seed ?? d.seed,
      }, input.title, onProgress);
    } finally {
      this.importing = null;
    }
  }

  getImportProgress(): CommandOutput<'getImportProgress'> {
    return this.importing === null ? null : { ...this.importing, progress: { ...this.importing.progress } };
  }

  analyzeArchitecture(input: CommandParsed<'analyzeArchitecture'>): CommandOutput<'analyzeArchitecture'> {
    return analyzeArchitecture(input);
  }

  // Training: the supervisor's.
  estimateEpoch(input: CommandParsed<'estimateEpoch'>): Promise<CommandOutput<'estimateEpoch'>> {
    return this.supervisor.estimateEpoch(input);
  }
  startRun(input: CommandParsed<'startRun'>): CommandOutput<'startRun'> {
    return this.supervisor.startRun(input);
  }
  stopRun(input: CommandParsed<'stopRun'>): CommandOutput<'stopRun'> {
    return this.supervisor.stopRun(input);
  }
  pauseRun(input: CommandParsed<'pauseRun'>): CommandOutput<'pauseRun'> {
    return this.supervisor.pauseRun(input);
  }
  resumeRun(input: CommandParsed<'resumeRun'>): CommandOutput<'resumeRun'> {
    return this.supervisor.resumeRun(input);
  }
  setLearningRate(input: CommandParsed<'setLearningRate'>): CommandOutput<'setLearningRate'> {
    return this.supervisor.setLearningRate(input);
  }
  /** Resolves when the run ends (for the CLI and tests). */
  waitForRun(runId: number): Promise<void> {
    return this.supervisor.waitForRun(runId);
  }

  // Running checkpoints: the scorer's.
  predict(input: CommandParsed<'predict'>): Promise<CommandOutput<'predict'>> {
    return this.scorer.predict(input);
  }
  evaluateCheckpoint(input: CommandParsed<'evaluateCheckpoint'>): Promise<CommandOutput<'evaluateCheckpoint'>> {
    return this.scorer.evaluateCheckpoint(input);
  }
  exportModel(input: CommandParsed<'exportModel'>): Promise<CommandOutput<'exportModel'>> {
    return this.scorer.exportModel(input);
  }
  getMisclassified(input: CommandParsed<'getMisclassified'> & { checkpoint?: undefined }): CommandOutput<'getMisclassified'>;
  getMisclassified(input: CommandParsed<'getMisclassified'>): CommandOutput<'getMisclassified'> | Promise<CommandOutput<'getMisclassified'>>;
  getMisclassified(input: CommandParsed<'getMisclassified'>): CommandOutput<'getMisclassified'> | Promise<CommandOutput<'getMisclassified'>> {
    return this.scorer.getMisclassified(input);
  }

  getClassByConfidence(input: CommandParsed<'getClassByConfidence'>): CommandOutput<'getClassByConfidence'> {
    return this.scorer.getClassByConfidence(input);
  }

  // Reading and editing stored runs: the store's.
  listRuns(query: CommandParsed<'listRuns'>): CommandOutput<'listRuns'> {
    return this.store.listRuns(query);
  }

  getRun({ runId }: CommandParsed<'getRun'>): CommandOutput<'getRun'> {
    const run = this.store.getRun(runId);
    if (!run) throw new StoreError(`run ${runId} does not exist`, 'not-found');
    return run;
  }

  updateRun({ runId, ...changes }: CommandParsed<'updateRun'>): CommandOutput<'updateRun'> {
    return this.store.updateRun(runId, changes);
  }

  /** A run this process trains is refused here; one another live process trains, by the store. */
  deleteRun({ runId }: CommandParsed<'deleteRun'>): CommandOutput<'deleteRun'> {
    if (this.supervisor.isActive(runId)) throw new RunStateError(`run ${runId} is still running; stop it first`);
    const deleted = this.store.deleteRun(runId);
    if (!deleted) throw new StoreError(`run ${runId} does not exist`, 'not-found');
    this.scorer.forgetRun(runId);
    this.inside.forget(runId);
    this.reclaimSpaceSoon();
    return { runId, deleted };
  }

  queryRuns(query: CommandParsed<'queryRuns'>): CommandOutput<'queryRuns'> {
    return this.store.queryRuns(query);
  }

  getRunChanges({ since, shown }: CommandParsed<'getRunChanges'>): CommandOutput<'getRunChanges'> {
    return this.store.runChanges(since, shown);
  }

  /** Deletes many runs in one transaction (one training here or in another live process is refused), drops their cached models, gives the space back. */
  deleteRuns({ runIds }: CommandParsed<'deleteRuns'>): CommandOutput<'deleteRuns'> {
    const refused = runIds.filter((id) => this.supervisor.isActive(id)).map((runId) => ({ runId, reason: `run ${runId} is still running; stop it first` }));
    const deletable = runIds.filter((id) => !this.supervisor.isActive(id));
    const { deleted, refused: trainedElsewhere } = this.store.deleteRuns(deletable);
    refused.push(...trainedElsewhere);
    const answered = new Set([...deleted, ...trainedElsewhere.map((r) => r.runId)]);
    for (const runId of deletable) if (!answered.has(runId)) refused.push({ runId, reason: `run ${runId} does not exist` });
    for (const runId of deleted) {
      this.scorer.forgetRun(runId);
      this.inside.forget(runId);
    }
    if (deleted.length) this.reclaimSpaceSoon();
    return { deleted, refused };
  }

  /** Gives deleted runs' pages back to the disk in short steps between requests (never one long block). */
  private reclaimSpaceSoon(): void {
    if (this.reclaiming || this.closed) return;
    this.reclaiming = setTimeout(() => {
      this.reclaiming = null;
      if (this.closed) return;
      try {
        if (!this.store.reclaimSpace(RECLAIM_PAGES_PER_STEP)) this.reclaimSpaceSoon();
      } catch {
        // The space stays in the file's free list (new runs reuse it); the next delete tries again.
      }
    }, 0);
  }

  /**
   * Compacts the lab file now: one VACUUM of the whole file (blocking, seconds per 100 MB; it fails as busy while another
   * process is writing to the lab), which also switches a lab made before incremental auto-vacuum to it, so
   * its later deletes give their space back. For `layerlab runs compact`, never behind the user's back.
   */
  compact(): { bytesBefore: number; bytesAfter: number } {
    const size = () => ['', '-wal'].reduce((sum, end) => sum + (statSync(`${this.databasePath}${end}`, { throwIfNoEntry: false })?.size ?? 0), 0);
    const bytesBefore = size();
    this.store.vacuumNow();
    return { bytesBefore, bytesAfter: size() };
  }

  /** Resolves when the space of deleted runs has been given back (tests, the bench, the CLI before it exits). */
  async spaceReclaimed(): Promise<void> {
    while (this.reclaiming) await new Promise((resolve) => setTimeout(resolve, 5));
  }

  exportRun({ runId, format }: CommandParsed<'exportRun'>): CommandOutput<'exportRun'> {
    return exportRun(this.getRun({ runId }), format);
  }

  getEvaluation({ runId }: CommandParsed<'getEvaluation'>): CommandOutput<'getEvaluation'> {
    return this.getRun({ runId }).evaluation;
  }

  exportRuns({ runIds }: CommandParsed<'exportRuns'>): CommandOutput<'exportRuns'> {
    const runs = this.store.getSummaries(runIds);
    const histories = this.store.getHistories(runIds);
    return runsCsv(runs.map((r) => ({ ...r, epochs: histories.get(r.id) ?? [] })));
  }

  compareRuns({ runIds }: CommandParsed<'compareRuns'>): CommandOutput<'compareRuns'> {
    const runs = this.store.getSummaries(runIds);
    const histories = this.store.getHistories(runIds);
    const evaluations = this.store.getEvaluations(runIds);
    const rateLogs = this.store.getLearningRateLogs(runIds);
    const initialRates = new Map(runs.map((r) => [r.id, r.compile.optimizer.learningRate]));
    return {
      runs,
      histories: runIds.map((id) => histories.get(id) ?? []),
      learningRates: runIds.map((id) => learningRatePerEpoch(initialRates.get(id) ?? NaN, rateLogs.get(id) ?? [], histories.get(id) ?? [])),
      evaluations: runIds.map((id) => evaluations.get(id)?.evaluation ?? null),
      checkpointEpochs: runIds.map((id) => evaluations.get(id)?.checkpointEpochs ?? []),
      config: configDiff(runs),
      layers: architectureDiff(runs),
    };
  }

  comparePredictions({ runA, runB, trueLabel, predictedLabel, limit }: CommandParsed<'comparePredictions'>): CommandOutput<'comparePredictions'> {
    const [a, b] = this.store.getSummaries([runA, runB]);
    if (!a || !b || a.dataset.hash !== b.dataset.hash) throw new RunStateError(`runs ${runA} and ${runB} were tested on different datasets`);
    const predictionsA = this.store.getPredictions(runA);
    const predictionsB = this.store.getPredictions(runB);
    if (!predictionsA || !predictionsB) throw new RunStateError(`run ${predictionsA ? runB : runA} has no stored test predictions (it was not evaluated)`);
    const data = this.datasets.load(a.dataset.name);
    // Both runs were tested on this dataset, so its class count is each run's.
    checkClassLabel('trueLabel', trueLabel, runA, data.classNames.length);
    checkClassLabel('predictedLabel', predictedLabel, runA, data.classNames.length);
    const { changes, ...counts } = diffPredictions(predictionsA, predictionsB, data.testLabels, {
      limit,
      ...(trueLabel !== undefined ? { trueLabel } : {}),
      ...(predictedLabel !== undefined ? { predictedLabel } : {}),
    });
    return { ...counts, images: changes.map((c) => ({ ...c, pixels: testImagePixels(data, c.index), ...testImageShape(data) })) };
  }

  /** Counts of each class per split and the first test images of each class (the Data screen). */
  getDatasetOverview({ dataset, samplesPerClass }: CommandParsed<'getDatasetOverview'>): CommandOutput<'getDatasetOverview'> {
    const data = this.datasets.load(dataset);
    const classes = data.classNames.length;
    const count = (labels: Uint8Array, n: number) => {
      const counts = new Array<number>(classes).fill(0);
      for (let i = 0; i < n; i++) counts[labels[i] ?? 0]!++;
      return counts;
    };
    const samples: CommandOutput<'getDatasetOverview'>['samples'] = Array.from({ length: classes }, () => []);
    for (let index = 0, full = 0; index < data.testCount && full < classes; index++) {
      const label = data.testLabels[index] ?? 0;
      const bucket = samples[label]!;
      if (bucket.length >= samplesPerClass) continue;
      bucket.push({ index, label, pixels: testImagePixels(data, index), ...testImageShape(data) });
      if (bucket.length === samplesPerClass) full++;
    }
    return { name: data.name, classNames: [...data.classNames], trainCounts: count(data.trainLabels, data.trainCount), testCounts: count(data.testLabels, data.testCount), samples };
  }

  getTestImages({ dataset, indices }: CommandParsed<'getTestImages'>): CommandOutput<'getTestImages'> {
    const data = this.datasets.load(dataset);
    return indices.map((index) => {
      if (index >= data.testCount) throw new RunStateError(`test image ${index} does not exist (${data.name} has ${data.testCount})`);
      return { index, label: data.testLabels[index] ?? 0, pixels: testImagePixels(data, index), ...testImageShape(data) };
    });
  }

  // The inside views (lab/inside): on the prediction backend, cached per checkpoint.
  inspectImage = (input: CommandParsed<'inspectImage'>) => this.inside.inspectImage(input);
  inspectWeights = (input: CommandParsed<'inspectWeights'>) => this.inside.inspectWeights(input);
  getWeightHistory = (input: CommandParsed<'getWeightHistory'>) => this.inside.getWeightHistory(input);
  projectEmbedding = (input: CommandParsed<'projectEmbedding'>) => this.inside.projectEmbedding(input);

  // Sweeps: expanded and checked here, queued in the store, started by the runner through the supervisor.
  createSweep(spec: CommandParsed<'createSweep'>): CommandOutput<'createSweep'> {
    const variants = expandSweep(spec);
    // Every variant passes the checks a single run would (memory, dataset sizes, backend) before anything is queued.
    for (const v of variants) {
      try {
        this.supervisor.check(v.request);
      } catch (error) {
        throw new SweepError(`${describeSweepParams(v.params) || 'the base configuration'}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    const sweepId = this.store.sweeps.create(spec.name ?? '', spec, variants);
    this.sweepRunner?.pump();
    return { sweepId, runs: variants.length };
  }
  /** Whether this process trains the run (the CLI stops only its own on Ctrl-C). */
  isRunActive(runId: number): boolean {
    return this.supervisor.isActive(runId);
  }
  listSweeps(): CommandOutput<'listSweeps'> {
    return this.store.sweeps.list();
  }
  getSweep({ sweepId }: CommandParsed<'getSweep'>): CommandOutput<'getSweep'> {
    return this.store.sweeps.detail(sweepId);
  }
  pauseSweep({ sweepId }: CommandParsed<'pauseSweep'>): CommandOutput<'pauseSweep'> {
    return this.store.sweeps.setStatus(sweepId, 'paused');
  }
  resumeSweep({ sweepId }: CommandParsed<'resumeSweep'>): CommandOutput<'resumeSweep'> {
    const summary = this.store.sweeps.setStatus(sweepId, 'active');
    this.sweepRunner?.pump();
    return summary;
  }
  cancelSweep({ sweepId }: CommandParsed<'cancelSweep'>): CommandOutput<'cancelSweep'> {
    for (const runId of this.store.sweeps.cancel(sweepId)) {
      // A run trained by another process is that process's to stop; it sees the cancellation when it ends.
      if (this.supervisor.isActive(runId)) this.supervisor.stopRun({ runId });
    }
    return this.store.sweeps.summary(sweepId);
  }
  reorderSweep({ sweepId, itemIds }: CommandParsed<'reorderSweep'>): CommandOutput<'reorderSweep'> {
    this.store.sweeps.reorder(sweepId, itemIds);
    return this.store.sweeps.detail(sweepId);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.sweepRunner?.stop();
    await this.supervisor.close();
    if (this.reclaiming) clearTimeout(this.reclaiming);
    this.reclaiming = null;
    this.scorer.dispose();
    this.store.close();
  }
}
