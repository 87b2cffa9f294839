// The Inside screen: one run's weights (as images and histograms), its weight distributions
// epoch after epoch, and the embedding projector for it and a second run, all at the epoch the
// scrubber points to. Each request drops stale answers through its own `latest` guard.
import type { LabApi } from '../../src-shared/api.ts';
import type { EmbeddingProjection, ImageInspection, ParamHistogram, ProjectionMethod, WeightHistory, WeightInspection, WeightView } from '../../src-shared/inside.ts';
import { MAX_WEIGHT_TILES } from '../../src-shared/inside.ts';
import type { RunDetail, RunListItem } from '../../src-shared/runs.ts';
import type { CheckpointRef } from '../../src-shared/schemas.ts';
import { epochCheckpoints } from './evaluate-state.svelte.ts';
import { messageOf } from './run-state.svelte.ts';

export const INSIDE_TABS = ['weights', 'histograms', 'projector'] as const;
export type InsideTab = (typeof INSIDE_TABS)[number];
/** Tiles asked for first; "show all" asks for the contract's limit. */
export const FIRST_TILES = 128;
export const PROJECTION_SAMPLE = 500;
/** Runs a picker lists for one search (the newest with weights that match; typing narrows). */
export const PICKER_RUNS = 50;

/** A guard that tells whether an answer is still the one last asked for. */
export function latest(): () => () => boolean {
  let token = 0;
  return () => {
    const mine = ++token;
    return () => mine === token;
  };
}

/** The run's weights at an epoch (its epoch checkpoint) or its final weights (null). */
export function checkpointAt(epoch: number | null): CheckpointRef {
  return epoch === null ? { kind: 'final' } : { kind: 'epoch', epoch };
}

/** Per parameter (layer/param), its histogram at each recorded epoch, in order. */
export function histogramSeries(history: WeightHistory | null): { key: string; series: { epoch: number; histogram: ParamHistogram }[] }[] {
  const byKey = new Map<string, { epoch: number; histogram: ParamHistogram }[]>();
  for (const e of history?.epochs ?? []) {
    for (const p of e.params) {
      const key = `${p.layer}/${p.param}`;
      const list = byKey.get(key) ?? [];
      list.push({ epoch: e.epoch, histogram: p });
      byKey.set(key, list);
    }
  }
  return [...byKey.entries()].map(([key, series]) => ({ key, series }));
}

export class InsideState {
  /** Full records of the run shown and the one beside it (at most two: never the whole lab). */
  runs = $state.raw<RunDetail[]>([]);
  /** The pickers' choices: runs with saved weights matching `search`, newest first, from the whole lab. */
  choices = $state.raw<RunListItem[]>([]);
  search = $state('');
  /** Runs with saved weights in the lab (0: say so). */
  withWeights = $state(0);
  runId = $state<number | null>(null);
  /** The second run of the side-by-side projector (null: none). */
  compareRunId = $state<number | null>(null);
  /** The scrubbed epoch; null: final weights. */
  epoch = $state<number | null>(null);
  tab = $state<InsideTab>('weights');
  layer = $state<number | null>(null);
  allTiles = $state(false);
  /** The change since initialisation first: a short run's raw weights still look like their random init. */
  weightView = $state<WeightView>('change');
  method = $state<ProjectionMethod>('pca');
  weights = $state.raw<WeightInspection | null>(null);
  history = $state.raw<WeightHistory | null>(null);
  projections = $state.raw<(EmbeddingProjection | null)[]>([]);
  loading = $state(false);
  error = $state<string | null>(null);

  readonly run = $derived(this.runs.find((r) => r.id === this.runId) ?? null);
  readonly epochs = $derived(epochCheckpoints(this.run));
  readonly series = $derived(histogramSeries(this.history));

  readonly #weightsGuard = latest();
  readonly #historyGuard = latest();
  readonly #projectionGuard = latest();

  constructor(private readonly api: LabApi) {}

  /** Finds runs with weights in the whole lab; shows the newest unless a run is open already. */
  async loadRuns(): Promise<void> {
    try {
      await this.findRuns(this.search);
      if (this.runId === null || !this.run) {
        const newest = this.choices[0]?.id ?? null;
        if (newest !== null) await this.#detail(newest);
        this.runId = newest;
      }
      this.error = null;
    } catch (err) {
      this.error = messageOf(err);
    }
  }

  #searchToken = 0;

  /** Search as you type: the lab answers with matching runs that have weights; a newer search wins. */
  async findRuns(search: string): Promise<void> {
    this.search = search;
    const token = ++this.#searchToken;
    const text = search.trim().slice(0, 200);
    const page = await this.api.queryRuns({ has: 'weights', limit: PICKER_RUNS, ...(text ? { search: text } : {}) });
    if (token !== this.#searchToken) return;
    this.choices = page.runs;
    if (!text) this.withWeights = page.total;
  }

  /** A run's full record (its checkpoints), fetched once while it is shown; only the shown and compared runs stay. */
  async #detail(runId: number): Promise<RunDetail | null> {
    const known = this.runs.find((r) => r.id === runId);
    const detail = known ?? (await this.api.getRun({ runId }).catch(() => null));
    const usable = detail && detail.checkpoints.length > 0 ? detail : null;
    const keep = new Set([runId, this.runId, this.compareRunId]);
    this.runs = [...this.runs.filter((r) => r.id !== runId && keep.has(r.id)), ...(usable ? [usable] : [])];
    return usable;
  }

  #keepShown(): void {
    this.runs = this.runs.filter((r) => r.id === this.runId || r.id === this.compareRunId);
  }

  /** Opens a run (at an epoch, when it has that checkpoint) and loads what the tab shows. */
  async open(runId: number, epoch: number | null = null): Promise<void> {
    if (!(await this.#detail(runId))) {
      this.error = `Run #${runId} has no saved weights to look inside.`;
      return;
    }
    this.runId = runId;
    this.layer = null;
    this.allTiles = false;
    this.epoch = epoch !== null && this.epochs.includes(epoch) ? epoch : null;
    if (this.compareRunId === runId) this.compareRunId = null;
    this.#keepShown();
    this.history = null;
    await this.refresh();
  }

  async setEpoch(epoch: number | null): Promise<void> {
    this.epoch = epoch;
    await this.refresh();
  }

  async setTab(tab: InsideTab): Promise<void> {
    this.tab = tab;
    await this.refresh();
  }

  async setLayer(layer: number): Promise<void> {
    this.layer = layer;
    this.allTiles = false;
    await this.loadWeights();
  }

  async setWeightView(view: WeightView): Promise<void> {
    this.weightView = view;
    await this.loadWeights();
  }

  async showAllTiles(): Promise<void> {
    this.allTiles = true;
    await this.loadWeights();
  }

  async setMethod(method: ProjectionMethod): Promise<void> {
    this.method = method;
    await this.loadProjections();
  }

  async setCompare(runId: number | null): Promise<void> {
    if (runId !== null) await this.#detail(runId);
    this.compareRunId = runId;
    this.#keepShown();
    await this.loadProjections();
  }

  /** Loads what the current tab shows at the current epoch. */
  async refresh(): Promise<void> {
    if (this.tab === 'weights') await this.loadWeights();
    else if (this.tab === 'histograms') await Promise.all([this.loadHistory(), this.loadWeights()]);
    else await this.loadProjections();
  }

  async loadWeights(): Promise<void> {
    const runId = this.runId;
    if (runId === null) return;
    const current = this.#weightsGuard();
    this.loading = true;
    try {
      const weights = await this.api.inspectWeights({
        runId,
        checkpoint: checkpointAt(this.epoch),
        ...(this.layer !== null ? { layer: this.layer } : {}),
        show: this.weightView,
        limit: this.allTiles ? MAX_WEIGHT_TILES : FIRST_TILES,
      });
      if (!current()) return;
      this.weights = weights;
      this.layer = weights.layer.index;
      this.error = null;
    } catch (err) {
      if (current()) this.error = messageOf(err);
    } finally {
      if (current()) this.loading = false;
    }
  }

  async loadHistory(): Promise<void> {
    const runId = this.runId;
    if (runId === null) return;
    const current = this.#historyGuard();
    try {
      const history = await this.api.getWeightHistory({ runId });
      if (current()) this.history = history;
    } catch (err) {
      if (current()) this.error = messageOf(err);
    }
  }

  async loadProjections(): Promise<void> {
    const ids = [this.runId, this.compareRunId].filter((id): id is number => id !== null);
    if (ids.length === 0) return;
    const current = this.#projectionGuard();
    this.loading = true;
    try {
      // The second run at its final weights unless it has the scrubbed epoch too.
      const projections = await Promise.all(
        ids.map((runId, i) => {
          const run = this.runs.find((r) => r.id === runId);
          const epoch = i === 0 || (this.epoch !== null && epochCheckpoints(run ?? null).includes(this.epoch)) ? this.epoch : null;
          return this.api.projectEmbedding({ runId, checkpoint: checkpointAt(epoch), method: this.method, sample: PROJECTION_SAMPLE, seed: 1 });
        }),
      );
      if (!current()) return;
      this.projections = projections;
      this.error = null;
    } catch (err) {
      if (current()) {
        this.projections = [];
        this.error = messageOf(err);
      }
    } finally {
      if (current()) this.loading = false;
    }
  }

  /** A test image's pixels for the projector's hover. */
  async testImage(index: number): Promise<string> {
    const dataset = this.run?.dataset.name ?? 'mnist';
    const [image] = await this.api.getTestImages({ dataset, indices: [index] });
    return image?.pixels ?? '';
  }
}

/** Evaluate's look at one misclassified test image: why the model said what it said, and why not the truth. */
export class MistakeSaliency {
  image = $state.raw<{ index: number; label: number; predicted: number; pixels: number[] } | null>(null);
  /** [saliency of the predicted class, saliency of the true class]. */
  maps = $state.raw<ImageInspection['saliency'][]>([]);
  error = $state<string | null>(null);
  readonly #guard = latest();

  constructor(private readonly api: LabApi) {}

  async pick(runId: number, epoch: number | null, image: { index: number; label: number; predicted: number; pixels: string }): Promise<void> {
    const pixels = Array.from(atob(image.pixels), (c) => c.charCodeAt(0) / 255);
    this.image = { index: image.index, label: image.label, predicted: image.predicted, pixels };
    this.maps = [];
    const current = this.#guard();
    try {
      const answers = await Promise.all(
        [image.predicted, image.label].map((target) => this.api.inspectImage({ runId, checkpoint: checkpointAt(epoch), image: pixels, target })),
      );
      if (!current()) return;
      this.maps = answers.map((a) => a.saliency);
      this.error = null;
    } catch (err) {
      if (current()) this.error = messageOf(err);
    }
  }

  close(): void {
    this.#guard();
    this.image = null;
    this.maps = [];
  }
}
