// The Runs screen: every run (filter, sort, tags, notes, delete), the comparison of 2+ runs,
// prediction diffs between two of them, exports, re-run/fork requests and the epoch scrubber.
import type { CheckpointEvaluation, ExportedFile, LabApi } from '../../src-shared/api.ts';
import { architectureLine, runDurationSeconds, type ConfigDiffRow, type PredictionComparison, type RunComparison, type RunDetail, type RunStatus, type RunSummary } from '../../src-shared/runs.ts';
import { MAX_COMPARE_RUNS, type StartRunRequest } from '../../src-shared/schemas.ts';
import { messageOf } from './run-state.svelte.ts';

export type SortKey = 'id' | 'name' | 'status' | 'valAcc' | 'testAcc' | 'duration' | 'params';
export type StatusFilter = RunStatus | 'all';
export type CurveMetric = 'loss' | 'acc';

export const CHANGED_IMAGES_LIMIT = 48;
/** How often the visible Runs screen looks for runs of other processes (see RunsState.poll). */
export const RUNS_POLL_MS = 4000;

/** The value a column sorts by; missing values sort last whatever the direction. */
function sortValue(run: RunSummary, key: SortKey): number | string | null {
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

export function sortRuns(runs: readonly RunSummary[], key: SortKey, descending: boolean): RunSummary[] {
  return [...runs].sort((a, b) => {
    const va = sortValue(a, key);
    const vb = sortValue(b, key);
    if (va === null || vb === null) return va === vb ? b.id - a.id : va === null ? 1 : -1;
    const order = va < vb ? -1 : va > vb ? 1 : 0;
    return (descending ? -order : order) || b.id - a.id;
  });
}

/** Search matches name, tags, notes, architecture and optimizer; every word must match. */
export function filterRuns(runs: readonly RunSummary[], search: string, status: StatusFilter, tag: string | null): RunSummary[] {
  const words = search.toLowerCase().split(/\s+/).filter(Boolean);
  return runs.filter((r) => {
    if (status !== 'all' && r.status !== status) return false;
    if (tag !== null && !r.tags.includes(tag)) return false;
    if (!words.length) return true;
    const haystack = `#${r.id} ${r.name} ${r.tags.join(' ')} ${r.notes} ${architectureLine(r.architecture)} ${r.compile.optimizer.name} ${r.backend ?? ''}`.toLowerCase();
    return words.every((w) => haystack.includes(w));
  });
}

/** B − A, cell by cell. */
export function differenceMatrix(a: readonly (readonly number[])[], b: readonly (readonly number[])[]): number[][] {
  return b.map((row, t) => row.map((v, p) => v - (a[t]?.[p] ?? 0)));
}

/** The same config and seed again, linked to its parent. */
export function rerunRequest(run: RunSummary): StartRunRequest {
  return {
    name: `${run.name} (re-run)`.slice(0, 200),
    architecture: run.architecture,
    compile: run.compile,
    train: run.train,
    dataset: run.dataset.name,
    backend: run.backend ?? 'auto',
    parentRunId: run.id,
  };
}

export interface ForkChanges {
  epochs: number;
  learningRate: number;
  batchSize: number;
}

/** Continue from an epoch checkpoint with changed settings. */
export function forkRequest(run: RunSummary, fromEpoch: number, changes: ForkChanges): StartRunRequest {
  return {
    name: `${run.name} (fork @${fromEpoch})`.slice(0, 200),
    architecture: run.architecture,
    compile: { ...run.compile, optimizer: { ...run.compile.optimizer, learningRate: changes.learningRate } },
    train: { ...run.train, epochs: changes.epochs, batchSize: changes.batchSize },
    dataset: run.dataset.name,
    backend: run.backend ?? 'auto',
    parentRunId: run.id,
    parentCheckpoint: { kind: 'epoch', epoch: fromEpoch },
  };
}

export class RunsState {
  runs = $state.raw<RunSummary[]>([]);
  loading = $state(false);
  error = $state<string | null>(null);
  notice = $state<string | null>(null);
  /** Milliseconds the last listRuns took (shown for the 1,000-run budget). */
  listMs = $state<number | null>(null);

  search = $state('');
  status = $state<StatusFilter>('all');
  tag = $state<string | null>(null);
  sortKey = $state<SortKey>('id');
  descending = $state(true);
  selected = $state.raw<ReadonlySet<number>>(new Set());
  /** The run whose details are open. */
  focusId = $state<number | null>(null);

  comparison = $state.raw<RunComparison | null>(null);
  comparing = $state(false);
  hidden = $state.raw<ReadonlySet<number>>(new Set());
  onlyDiffering = $state(true);
  /** Indices into comparison.runs for the confusion-matrix pair. */
  pairA = $state(0);
  pairB = $state(1);
  cell = $state.raw<{ trueLabel: number; predictedLabel: number } | null>(null);
  changes = $state.raw<PredictionComparison | null>(null);
  loadingChanges = $state(false);

  scrub = $state.raw<CheckpointEvaluation | null>(null);
  scrubbing = $state(false);

  detail = $state.raw<RunDetail | null>(null);
  readonly checkpointEpochs = $derived((this.detail?.checkpoints ?? []).filter((c) => c.kind === 'epoch').map((c) => c.epoch).sort((a, b) => a - b));

  #focusToken = 0;
  #compareToken = 0;
  #cellToken = 0;
  #scrubToken = 0;

  readonly visible = $derived(sortRuns(filterRuns(this.runs, this.search, this.status, this.tag), this.sortKey, this.descending));
  readonly allTags = $derived([...new Set(this.runs.flatMap((r) => r.tags))].sort());
  readonly focused = $derived(this.runs.find((r) => r.id === this.focusId) ?? null);
  readonly selectedRuns = $derived(this.runs.filter((r) => this.selected.has(r.id)));
  readonly canCompare = $derived(this.selected.size >= 2 && this.selected.size <= MAX_COMPARE_RUNS);
  readonly configRows = $derived<ConfigDiffRow[]>((this.comparison?.config ?? []).filter((r) => !this.onlyDiffering || r.differs));
  readonly layerRows = $derived((this.comparison?.layers ?? []).filter((r) => !this.onlyDiffering || r.differs));
  readonly matrixA = $derived(this.comparison?.evaluations[this.pairA]?.confusionMatrix ?? null);
  readonly matrixB = $derived(this.comparison?.evaluations[this.pairB]?.confusionMatrix ?? null);
  readonly difference = $derived(this.matrixA && this.matrixB ? differenceMatrix(this.matrixA, this.matrixB) : null);

  constructor(private readonly api: LabApi) {}

  async refresh(): Promise<void> {
    this.loading = true;
    try {
      const t0 = performance.now();
      const runs = await this.api.listRuns({});
      this.listMs = performance.now() - t0;
      this.#setRuns(runs);
      this.error = null;
    } catch (err) {
      this.error = messageOf(err);
    } finally {
      this.loading = false;
    }
  }

  /**
   * Runs of other processes (the CLI on the same lab home) reach this lab only through its database, with no events:
   * the Runs screen polls. Quiet: no loading state, no error for a missed poll (a dropped lab shows in the
   * connection banner), and the list is replaced only when something changed.
   */
  async poll(): Promise<void> {
    let runs: RunSummary[];
    try {
      runs = await this.api.listRuns({});
    } catch {
      return;
    }
    if (JSON.stringify(runs) !== JSON.stringify(this.runs)) this.#setRuns(runs);
  }

  #setRuns(runs: RunSummary[]): void {
    this.runs = runs;
    const known = new Set(runs.map((r) => r.id));
    if ([...this.selected].some((id) => !known.has(id))) this.selected = new Set([...this.selected].filter((id) => known.has(id)));
    if (this.focusId !== null && !known.has(this.focusId)) this.focusId = null;
  }

  sortBy(key: SortKey): void {
    if (this.sortKey === key) this.descending = !this.descending;
    else {
      this.sortKey = key;
      this.descending = key !== 'name' && key !== 'status';
    }
  }

  toggleSelected(runId: number): void {
    const next = new Set(this.selected);
    if (!next.delete(runId)) next.add(runId);
    this.selected = next;
  }

  /** Selects every visible run, or clears the selection when they all are. */
  toggleAllVisible(): void {
    const ids = this.visible.map((r) => r.id);
    this.selected = ids.length && ids.every((id) => this.selected.has(id)) ? new Set() : new Set([...this.selected, ...ids]);
  }

  /** Opens a run's details (with its checkpoints, for fork and the epoch scrubber). */
  async focus(runId: number | null): Promise<void> {
    const token = ++this.#focusToken;
    this.focusId = runId;
    if (this.scrub?.runId !== runId) this.scrub = null;
    if (this.detail?.id !== runId) this.detail = null;
    if (runId === null) return;
    try {
      const detail = await this.api.getRun({ runId });
      if (token === this.#focusToken) this.detail = detail;
    } catch (err) {
      if (token === this.#focusToken) this.error = messageOf(err);
    }
  }

  #replace(updated: RunSummary): void {
    this.runs = this.runs.map((r) => (r.id === updated.id ? updated : r));
    if (this.comparison) this.comparison = { ...this.comparison, runs: this.comparison.runs.map((r) => (r.id === updated.id ? updated : r)) };
  }

  async update(runId: number, changes: { name?: string; tags?: string[]; notes?: string }): Promise<boolean> {
    try {
      this.#replace(await this.api.updateRun({ runId, ...changes }));
      this.error = null;
      return true;
    } catch (err) {
      this.error = messageOf(err);
      return false;
    }
  }

  /** Deletes the runs one by one; reports those that could not be deleted (a running one). */
  async deleteRuns(ids: readonly number[]): Promise<number[]> {
    const failed: string[] = [];
    const deleted: number[] = [];
    for (const runId of ids) {
      try {
        await this.api.deleteRun({ runId });
        deleted.push(runId);
      } catch (err) {
        failed.push(`#${runId}: ${messageOf(err)}`);
      }
    }
    const gone = new Set(deleted);
    this.runs = this.runs.filter((r) => !gone.has(r.id));
    this.selected = new Set([...this.selected].filter((id) => !gone.has(id)));
    if (this.focusId !== null && gone.has(this.focusId)) this.focusId = null;
    if (this.comparison?.runs.some((r) => gone.has(r.id))) this.closeCompare();
    this.error = failed.length ? `Could not delete ${failed.join('; ')}` : null;
    this.notice = deleted.length ? `Deleted ${deleted.length} run${deleted.length === 1 ? '' : 's'}.` : null;
    return deleted;
  }

  async compare(ids: readonly number[] = [...this.selected]): Promise<void> {
    const token = ++this.#compareToken;
    this.comparing = true;
    try {
      const comparison = await this.api.compareRuns({ runIds: [...ids] });
      if (token !== this.#compareToken) return;
      this.comparison = comparison;
      this.hidden = new Set();
      const evaluated = comparison.evaluations.map((e, i) => (e ? i : -1)).filter((i) => i >= 0);
      this.pairA = evaluated[0] ?? 0;
      this.pairB = evaluated[1] ?? 1;
      this.cell = null;
      this.changes = null;
      this.error = null;
    } catch (err) {
      if (token === this.#compareToken) this.error = messageOf(err);
    } finally {
      if (token === this.#compareToken) this.comparing = false;
    }
  }

  closeCompare(): void {
    this.#compareToken++;
    this.comparison = null;
    this.cell = null;
    this.changes = null;
  }

  toggleSeries(runId: number): void {
    const next = new Set(this.hidden);
    if (!next.delete(runId)) next.add(runId);
    this.hidden = next;
  }

  setPair(a: number, b: number): void {
    this.pairA = a;
    this.pairB = b;
    this.cell = null;
    this.changes = null;
  }

  /** A click on the difference matrix: the test images that moved into or out of that cell. */
  async pickCell(trueLabel: number, predictedLabel: number): Promise<void> {
    const c = this.comparison;
    const a = c?.runs[this.pairA];
    const b = c?.runs[this.pairB];
    if (!a || !b) return;
    if (this.cell?.trueLabel === trueLabel && this.cell.predictedLabel === predictedLabel) {
      this.cell = null;
      this.changes = null;
      return;
    }
    const token = ++this.#cellToken;
    this.cell = { trueLabel, predictedLabel };
    this.loadingChanges = true;
    try {
      const changes = await this.api.comparePredictions({ runA: a.id, runB: b.id, trueLabel, predictedLabel, limit: CHANGED_IMAGES_LIMIT });
      if (token === this.#cellToken) this.changes = changes;
    } catch (err) {
      if (token === this.#cellToken) this.error = messageOf(err);
    } finally {
      if (token === this.#cellToken) this.loadingChanges = false;
    }
  }

  /** Evaluates run `runId` as it was after `epoch` (a saved epoch checkpoint). */
  async scrubTo(runId: number, epoch: number): Promise<void> {
    const token = ++this.#scrubToken;
    this.scrubbing = true;
    try {
      const result = await this.api.evaluateCheckpoint({ runId, checkpoint: { kind: 'epoch', epoch } });
      if (token === this.#scrubToken) this.scrub = result;
    } catch (err) {
      if (token === this.#scrubToken) this.error = messageOf(err);
    } finally {
      if (token === this.#scrubToken) this.scrubbing = false;
    }
  }

  async exportRun(runId: number, format: 'csv' | 'json' | 'keras'): Promise<ExportedFile | null> {
    return this.#attempt(() => this.api.exportRun({ runId, format }));
  }

  async exportSelected(): Promise<ExportedFile | null> {
    const ids = this.visible.filter((r) => this.selected.has(r.id)).map((r) => r.id);
    if (!ids.length) return null;
    return this.#attempt(() => this.api.exportRuns({ runIds: ids, format: 'csv' }));
  }

  async exportModel(runId: number) {
    return this.#attempt(() => this.api.exportModel({ runId, checkpoint: { kind: 'final' } }));
  }

  async #attempt<T>(fn: () => Promise<T>): Promise<T | null> {
    try {
      const result = await fn();
      this.error = null;
      return result;
    } catch (err) {
      this.error = messageOf(err);
      return null;
    }
  }
}
