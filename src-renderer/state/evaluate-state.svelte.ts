// A finished run under the microscope: test metrics, confusion matrix, misclassified images.
import type { LabApi, MisclassifiedImage } from '../../src-shared/api.ts';
import type { Evaluation, RunDetail, RunSummary } from '../../src-shared/runs.ts';
import { normaliseRows, rowTotals, topConfusions } from '../lib/confusion.ts';
import { messageOf } from './run-state.svelte.ts';

export interface CellFilter {
  trueLabel: number;
  /** null: every wrong prediction of that true class (a click on the diagonal). */
  predictedLabel: number | null;
}

export const GALLERY_LIMIT = 60;

export class EvaluateState {
  runs = $state.raw<RunSummary[]>([]);
  runId = $state<number | null>(null);
  run = $state.raw<RunDetail | null>(null);
  evaluation = $state.raw<Evaluation | null>(null);
  images = $state.raw<MisclassifiedImage[]>([]);
  filter = $state.raw<CellFilter | null>(null);
  loading = $state(false);
  loadingImages = $state(false);
  error = $state<string | null>(null);

  #token = 0;
  #imageToken = 0;

  readonly matrix = $derived(this.evaluation?.confusionMatrix ?? []);
  readonly normalised = $derived(normaliseRows(this.matrix));
  readonly totals = $derived(rowTotals(this.matrix));
  readonly confusions = $derived(topConfusions(this.matrix, 5));
  /** Most confident mistakes first. */
  readonly gallery = $derived([...this.images].sort((a, b) => b.confidence - a.confidence || a.index - b.index));

  constructor(private readonly api: LabApi) {}

  /** Runs that can have an evaluation, newest first. */
  async refreshRuns(): Promise<void> {
    try {
      const runs = await this.api.listRuns({ limit: 200 });
      this.runs = runs.filter((r) => r.status === 'completed' || r.status === 'stopped').sort((a, b) => b.id - a.id);
    } catch (err) {
      this.error = messageOf(err);
    }
  }

  async open(runId: number): Promise<void> {
    const token = ++this.#token;
    this.runId = runId;
    this.loading = true;
    this.error = null;
    this.filter = null;
    this.images = [];
    try {
      const [run, evaluation] = await Promise.all([this.api.getRun({ runId }), this.api.getEvaluation({ runId })]);
      if (token !== this.#token) return;
      this.run = run;
      this.evaluation = evaluation ?? run.evaluation;
      if (this.evaluation) await this.#loadImages(token);
    } catch (err) {
      if (token === this.#token) {
        this.run = null;
        this.evaluation = null;
        this.error = messageOf(err);
      }
    } finally {
      if (token === this.#token) this.loading = false;
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
    const imageToken = ++this.#imageToken;
    this.loadingImages = true;
    try {
      const f = this.filter;
      const images = await this.api.getMisclassified({
        runId,
        limit: GALLERY_LIMIT,
        ...(f ? { trueLabel: f.trueLabel } : {}),
        ...(f && f.predictedLabel !== null ? { predictedLabel: f.predictedLabel } : {}),
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
