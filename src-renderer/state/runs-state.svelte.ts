// The Runs screen: every run (filter, sort, tags, notes, delete), the comparison of 2+ runs,
// prediction diffs between two of them, exports, re-run/fork requests and the epoch scrubber.
import type { CheckpointEvaluation, ExportedFile, LabApi } from '../../src-shared/api.ts';
import type { ConfigDiffRow, PredictionComparison, RunComparison, RunDetail, RunListItem, RunPage, RunSortKey, RunStatus, RunSummary } from '../../src-shared/runs.ts';
import { MAX_COMPARE_RUNS, type StartRunRequest } from '../../src-shared/schemas.ts';
import { messageOf } from './run-state.svelte.ts';

export type SortKey = RunSortKey;
export type StatusFilter = RunStatus | 'all';
export type CurveMetric = 'loss' | 'acc';

export const CHANGED_IMAGES_LIMIT = 48;
/** How often the visible Runs screen asks what changed (see RunsState.poll). */
export const RUNS_POLL_MS = 4000;
/** Rows per page of the Runs table: a screenful or two, whatever the lab's size. */
export const RUNS_PAGE_SIZE = 100;

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
  /** The page shown: lean rows, filtered, searched, sorted and paged by the lab. */
  runs = $state.raw<RunListItem[]>([]);
  /** Runs matching the filters (all pages), and in the lab. */
  total = $state(0);
  labTotal = $state(0);
  allTags = $state.raw<string[]>([]);
  offset = $state(0);
  loading = $state(false);
  error = $state<string | null>(null);
  notice = $state<string | null>(null);
  /** Milliseconds the last page took to arrive. */
  listMs = $state<number | null>(null);

  search = $state('');
  status = $state<StatusFilter>('all');
  tag = $state<string | null>(null);
  sortKey = $state<SortKey>('id');
  descending = $state(true);
  /** Selected run ids, across pages. */
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

  /** The lab's change counter as of the page shown. */
  #version = 0;
  #pageToken = 0;
  #focusToken = 0;
  #compareToken = 0;
  #cellToken = 0;
  #scrubToken = 0;

  readonly visible = $derived(this.runs);
  /** The open run's full record (null while it loads). */
  readonly focused = $derived(this.detail !== null && this.detail.id === this.focusId ? this.detail : null);
  readonly canCompare = $derived(this.selected.size >= 2 && this.selected.size <= MAX_COMPARE_RUNS);
  readonly pageSize = RUNS_PAGE_SIZE;
  readonly hasPrevious = $derived(this.offset > 0);
  readonly hasNext = $derived(this.offset + this.runs.length < this.total);
  readonly configRows = $derived<ConfigDiffRow[]>((this.comparison?.config ?? []).filter((r) => !this.onlyDiffering || r.differs));
  readonly layerRows = $derived((this.comparison?.layers ?? []).filter((r) => !this.onlyDiffering || r.differs));
  readonly matrixA = $derived(this.comparison?.evaluations[this.pairA]?.confusionMatrix ?? null);
  readonly matrixB = $derived(this.comparison?.evaluations[this.pairB]?.confusionMatrix ?? null);
  readonly difference = $derived(this.matrixA && this.matrixB ? differenceMatrix(this.matrixA, this.matrixB) : null);

  constructor(private readonly api: LabApi) {}

  /** Reads the page for the current filters; a newer request wins (each keystroke asks, the last answer shows). */
  async refresh(): Promise<void> {
    const token = ++this.#pageToken;
    this.loading = true;
    try {
      const t0 = performance.now();
      const page = await this.api.queryRuns({
        ...(this.search.trim() ? { search: this.search.trim().slice(0, 200) } : {}),
        ...(this.status !== 'all' ? { status: this.status } : {}),
        ...(this.tag !== null ? { tag: this.tag } : {}),
        sort: this.sortKey,
        descending: this.descending,
        limit: RUNS_PAGE_SIZE,
        offset: this.offset,
      });
      if (token !== this.#pageToken) return;
      this.listMs = performance.now() - t0;
      this.#setPage(page);
      this.error = null;
    } catch (err) {
      if (token === this.#pageToken) this.error = messageOf(err);
    } finally {
      if (token === this.#pageToken) this.loading = false;
    }
  }

  /** A filter changed: back to the first page. */
  setSearch(search: string): Promise<void> {
    this.search = search;
    this.offset = 0;
    return this.refresh();
  }

  setStatus(status: StatusFilter): Promise<void> {
    this.status = status;
    this.offset = 0;
    return this.refresh();
  }

  setTag(tag: string | null): Promise<void> {
    this.tag = tag;
    this.offset = 0;
    return this.refresh();
  }

  nextPage(): Promise<void> {
    if (!this.hasNext) return Promise.resolve();
    this.offset += RUNS_PAGE_SIZE;
    return this.refresh();
  }

  previousPage(): Promise<void> {
    if (!this.hasPrevious) return Promise.resolve();
    this.offset = Math.max(0, this.offset - RUNS_PAGE_SIZE);
    return this.refresh();
  }

  /**
   * Runs of other processes (the CLI on the same lab home) reach this lab only through its database, with no events:
   * the Runs screen polls, asking only what changed since the page it shows. Nothing changed: a few bytes. Shown rows
   * changed: they are patched in place. Runs came or went: the page is read again (one page, never the lab). Quiet: no
   * loading state, no error for a missed poll (a dropped lab shows in the connection banner).
   */
  async poll(): Promise<void> {
    const token = this.#pageToken;
    let changes: Awaited<ReturnType<LabApi['getRunChanges']>>;
    try {
      changes = await this.api.getRunChanges({ since: this.#version, shown: this.runs.map((r) => r.id) });
    } catch {
      return;
    }
    if (token !== this.#pageToken || changes.version === this.#version) return;
    const shown = new Map(this.runs.map((r) => [r.id, r]));
    const inPlace = !changes.reload && changes.gone.length === 0 && changes.labTotal === this.labTotal && changes.changed.every((r) => shown.has(r.id));
    if (!inPlace) return this.refresh();
    for (const r of changes.changed) shown.set(r.id, r);
    this.runs = this.runs.map((r) => shown.get(r.id) ?? r);
    this.#version = changes.version;
    if (this.detail && changes.changed.some((r) => r.id === this.detail?.id)) void this.focus(this.detail.id);
  }

  #setPage(page: RunPage): void {
    this.runs = page.runs;
    this.total = page.total;
    this.labTotal = page.labTotal;
    this.allTags = page.tags;
    this.#version = page.version;
    // Past the end (runs were deleted): show the last page there is.
    if (page.runs.length === 0 && this.offset > 0 && page.total > 0) {
      this.offset = Math.floor((page.total - 1) / RUNS_PAGE_SIZE) * RUNS_PAGE_SIZE;
      void this.refresh();
    }
  }

  sortBy(key: SortKey): Promise<void> {
    if (this.sortKey === key) this.descending = !this.descending;
    else {
      this.sortKey = key;
      this.descending = key !== 'name' && key !== 'status';
    }
    this.offset = 0;
    return this.refresh();
  }

  toggleSelected(runId: number): void {
    const next = new Set(this.selected);
    if (!next.delete(runId)) next.add(runId);
    this.selected = next;
  }

  /** Selects every run on this page, or unselects them when they all are. */
  toggleAllVisible(): void {
    const ids = this.visible.map((r) => r.id);
    const all = ids.length > 0 && ids.every((id) => this.selected.has(id));
    const next = new Set(this.selected);
    for (const id of ids) {
      if (all) next.delete(id);
      else next.add(id);
    }
    this.selected = next;
  }

  clearSelection(): void {
    this.selected = new Set();
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

  async update(runId: number, changes: { name?: string; tags?: string[]; notes?: string }): Promise<boolean> {
    try {
      const updated = await this.api.updateRun({ runId, ...changes });
      if (this.detail?.id === runId) this.detail = { ...this.detail, ...updated };
      if (this.comparison) this.comparison = { ...this.comparison, runs: this.comparison.runs.map((r) => (r.id === updated.id ? updated : r)) };
      this.error = null;
      await this.refresh();
      return true;
    } catch (err) {
      this.error = messageOf(err);
      return false;
    }
  }

  /** Deletes the runs in one request (the lab refuses a running one and says why), then reads the page again. */
  async deleteRuns(ids: readonly number[]): Promise<number[]> {
    let deleted: number[] = [];
    let error: string | null = null;
    try {
      const answer = await this.api.deleteRuns({ runIds: [...ids] });
      deleted = answer.deleted;
      if (answer.refused.length) error = `Could not delete ${answer.refused.map((r) => `#${r.runId}: ${r.reason}`).join('; ')}`;
    } catch (err) {
      error = messageOf(err);
    }
    const gone = new Set(deleted);
    this.runs = this.runs.filter((r) => !gone.has(r.id));
    this.selected = new Set([...this.selected].filter((id) => !gone.has(id)));
    if (this.focusId !== null && gone.has(this.focusId)) void this.focus(null);
    if (this.comparison?.runs.some((r) => gone.has(r.id))) this.closeCompare();
    if (deleted.length) await this.refresh();
    this.error = error;
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
    const ids = [...this.selected].sort((a, b) => b - a);
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
