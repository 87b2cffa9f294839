// A finished run under the microscope: test metrics, confusion matrix, misclassified images.
import type { LabApi, MisclassifiedImage } from '../../src-shared/api.ts';
import { nearestKeptEpoch, type Evaluation, type RunDetail, type RunListItem } from '../../src-shared/runs.ts';
import { normaliseRows, rowTotals, topConfusions } from '../lib/confusion.ts';
import { messageOf } from './run-state.svelte.ts';

export interface CellFilter {
  trueLabel: number;
  /** null: every wrong prediction of that true class (a click on the diagonal). */
  predictedLabel: number | null;
}

export const GALLERY_LIMIT = 60;

/** Epochs of a run with a saved epoch checkpoint, ascending. */
export function epochCheckpoints(run: Pick<RunDetail, 'checkpoints'> | null): number[] {
  if (!run) return [];
  return [...new Set(run.checkpoints.filter((c) => c.kind === 'epoch').map((c) => c.epoch))].sort((a, b) => a - b);
}

/** The evaluate route's parameter: "12" (final) or "12@3" (as after epoch 3). */
export function parseEvaluateParam(param: string | null): { runId: number; epoch: number | null } | null {
  const m = param === null ? null : /^(\d+)(?:@(\d+))?$/.exec(param);
  if (!m) return null;
  return { runId: Number(m[1]), epoch: m[2] === undefined ? null : Number(m[2]) };
}

export function evaluateParam(runId: number, epoch: number | null): string {
  return epoch === null ? String(runId) : `${runId}@${epoch}`;
}

/** Runs the picker lists for one search (the newest evaluated ones that match; typing narrows). */
export const PICKER_RUNS = 50;

export class EvaluateState {
  /** The picker's choices: evaluated runs matching `search`, newest first, from the whole lab. */
  runs = $state.raw<RunListItem[]>([]);
  search = $state('');
  /** Evaluated runs in the lab (0: say none exists). */
  evaluatedTotal = $state(0);
  runId = $state<number | null>(null);
  run = $state.raw<RunDetail | null>(null);
  /** What the screen shows: the final evaluation, or that of the chosen epoch's checkpoint. */
  evaluation = $state.raw<Evaluation | null>(null);
  /** The run's own final evaluation. */
  finalEvaluation = $state.raw<Evaluation | null>(null);
  /** The epoch checkpoint shown; null: the final evaluation. */
  epoch = $state<number | null>(null);
  loadingEpoch = $state(false);
  images = $state.raw<MisclassifiedImage[]>([]);
  filter = $state.raw<CellFilter | null>(null);
  loading = $state(false);
  loadingImages = $state(false);
  error = $state<string | null>(null);
  /** Said once, e.g. that the epoch asked for had no checkpoint kept. */
  notice = $state<string | null>(null);

  #token = 0;
  #imageToken = 0;
  #searchToken = 0;

  readonly matrix = $derived(this.evaluation?.confusionMatrix ?? []);
  readonly normalised = $derived(normaliseRows(this.matrix));
  readonly totals = $derived(rowTotals(this.matrix));
  readonly confusions = $derived(topConfusions(this.matrix, 5));
  /** Most confident mistakes first. */
  readonly gallery = $derived([...this.images].sort((a, b) => b.confidence - a.confidence || a.index - b.index));
  /** Epochs with a saved checkpoint, in order (the epoch selector; empty: no selector). */
  readonly epochs = $derived(epochCheckpoints(this.run));

  constructor(private readonly api: LabApi) {}

  /** Evaluated runs matching the search, newest first, searched in the lab (a newer search wins). */
  async refreshRuns(search: string = this.search): Promise<void> {
    this.search = search;
    const token = ++this.#searchToken;
    try {
      const page = await this.api.queryRuns({ has: 'evaluation', limit: PICKER_RUNS, ...(search.trim() ? { search: search.trim().slice(0, 200) } : {}) });
      if (token !== this.#searchToken) return;
      this.runs = page.runs;
      if (!search.trim()) this.evaluatedTotal = page.total;
    } catch (err) {
      if (token === this.#searchToken) this.error = messageOf(err);
    }
  }

  /** Opens a run, at an epoch checkpoint when it has one (else its final evaluation). */
  async open(runId: number, epoch: number | null = null): Promise<void> {
    const token = ++this.#token;
    this.runId = runId;
    this.loading = true;
    this.error = null;
    this.filter = null;
    this.images = [];
    this.epoch = null;
    try {
      const [run, evaluation] = await Promise.all([this.api.getRun({ runId }), this.api.getEvaluation({ runId })]);
      if (token !== this.#token) return;
      this.run = run;
      this.finalEvaluation = evaluation ?? run.evaluation;
      this.evaluation = this.finalEvaluation;
      if (!this.evaluation) return;
      // An epoch whose checkpoint was not kept (long runs keep every few) opens the nearest kept one, and says so.
      const kept = epoch === null ? null : nearestKeptEpoch(this.epochs, epoch);
      this.notice = epoch !== null && kept !== null && kept !== epoch ? `Epoch ${epoch} has no checkpoint kept; showing epoch ${kept}, the nearest kept.` : null;
      if (kept !== null && !(await this.#showEpoch(runId, kept, token))) return;
      await this.#loadImages(token);
    } catch (err) {
      if (token === this.#token) {
        this.run = null;
        this.evaluation = null;
        this.finalEvaluation = null;
        this.epoch = null;
        this.error = messageOf(err);
      }
    } finally {
      if (token === this.#token) this.loading = false;
    }
  }

  /** Shows the evaluation of an epoch's checkpoint; false when a newer request took over meanwhile. */
  async #showEpoch(runId: number, epoch: number, token: number): Promise<boolean> {
    const at = await this.api.evaluateCheckpoint({ runId, checkpoint: { kind: 'epoch', epoch } });
    if (token !== this.#token) return false;
    this.epoch = epoch;
    this.evaluation = at;
    return true;
  }

  /**
   * Shows the run as after an epoch (its checkpoint on the same test subsample), or the final
   * evaluation for null. The gallery follows; a chosen cell stays chosen.
   */
  async selectEpoch(epoch: number | null): Promise<void> {
    const runId = this.runId;
    if (runId === null || this.loading || !this.finalEvaluation || epoch === this.epoch) return;
    if (epoch !== null && !this.epochs.includes(epoch)) return;
    const token = ++this.#token;
    this.error = null;
    if (epoch === null) {
      this.epoch = null;
      this.evaluation = this.finalEvaluation;
      await this.#loadImages(token);
      return;
    }
    this.loadingEpoch = true;
    try {
      if (await this.#showEpoch(runId, epoch, token)) await this.#loadImages(token);
    } catch (err) {
      if (token === this.#token) this.error = messageOf(err);
    } finally {
      if (token === this.#token) this.loadingEpoch = false;
    }
  }

  /** Click on a confusion-matrix cell; the same cell again clears the filter. */
  async toggleCell(trueLabel: number, predictedLabel: number): Promise<void> {
    const next: CellFilter = { trueLabel, predictedLabel: trueLabel === predictedLabel ? null : predictedLabel };
    const same = this.filter && this.filter.trueLabel === next.trueLabel && this.filter.predictedLabel === next.predictedLabel;
    await this.setFilter(same ? null : next);
  }

  async setFilter(filter: CellFilter | null): Promise<void> {
    this.filter = filter;
    await this.#loadImages(this.#token);
  }

  isSelected(trueLabel: number, predictedLabel: number): boolean {
    const f = this.filter;
    if (!f || f.trueLabel !== trueLabel) return false;
    return f.predictedLabel === null ? trueLabel === predictedLabel : f.predictedLabel === predictedLabel;
  }

  async #loadImages(token: number): Promise<void> {
    const runId = this.runId;
    if (runId === null) return;
    const epoch = this.epoch;
    const imageToken = ++this.#imageToken;
    this.loadingImages = true;
    try {
      const f = this.filter;
      const images = await this.api.getMisclassified({
        runId,
        limit: GALLERY_LIMIT,
        ...(f ? { trueLabel: f.trueLabel } : {}),
        ...(f && f.predictedLabel !== null ? { predictedLabel: f.predictedLabel } : {}),
        ...(epoch !== null ? { checkpoint: { kind: 'epoch' as const, epoch } } : {}),
      });
      if (token !== this.#token || imageToken !== this.#imageToken) return;
      this.images = images;
    } catch (err) {
      if (token === this.#token) this.error = messageOf(err);
    } finally {
      if (imageToken === this.#imageToken) this.loadingImages = false;
    }
  }
}
