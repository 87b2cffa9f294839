// Draw: a digit (strokes, or a dropped image) made MNIST-like, and what the chosen models think
// of it, side by side. Predictions are throttled while drawing and stale answers are dropped.
import type { DatasetInfo, LabApi, Unsubscribe } from '../../src-shared/api.ts';
import type { ImageInspection } from '../../src-shared/inside.ts';
import { isInputShapeFor, type ImageShape } from '../../src-shared/dataset-shape.ts';
import { imageToInput } from '../../src-shared/image-to-input.ts';
import { acceptsMnistInput, preprocessToMnist, rasterizeStrokes, type MnistInput, type PixelBuffer, type Stroke } from '../../src-shared/mnist-preprocess.ts';
import { IMAGE_INPUT_SHAPE, IMAGE_PIXELS, IMAGE_SIDE, NUM_CLASSES } from '../../src-shared/mnist-shape.ts';
import { nearestKeptEpoch, type CheckpointInfo, type RunDetail, type RunListItem } from '../../src-shared/runs.ts';
import type { CheckpointRef } from '../../src-shared/schemas.ts';
import { messageOf } from './run-state.svelte.ts';

/** The pad's raster for preprocessing (the visible canvas may be any size). */
export const PAD_RASTER = 280;
/** Pen width as a fraction of the pad's side: about MNIST's stroke for a digit that fills the pad. */
export const STROKE_WIDTH = 0.075;
/** Models shown side by side at most. */
export const MAX_MODELS = 4;
/** Runs a picker lists for one search (the newest with weights that match; typing narrows). */
export const PICKER_RUNS = 50;

export interface ModelSlot {
  id: number;
  runId: number;
  /** 'final', 'best' or 'epoch:N'. */
  checkpoint: string;
}

export type SlotStatus = 'idle' | 'loading' | 'ready' | 'error' | 'unsupported';
export interface SlotResult {
  status: SlotStatus;
  probabilities: number[] | null;
  message: string | null;
  /** Round trip of the last answer. */
  ms: number | null;
}

export interface DrawOptions {
  /** Wait this long after the last change before predicting (and at most this often while drawing). */
  throttleMs?: number;
  now?: () => number;
}

/**
 * What one or more model cards are given, shown beside the pad: the MNIST digit (28×28 grey) for a digit model,
 * or the opened image fitted to the H×W×C of the dataset a model learned from. Cards whose models take the same
 * input share one.
 */
export interface ModelSight {
  kind: 'digit' | 'image';
  /** Height × width × channels of the input. */
  shape: ImageShape;
  /** The datasets whose shape the image is fitted to (kind 'image'). */
  datasets: string[];
  /** The values the models are asked, H×W×C row-major in [0, 1]; null: nothing to ask yet (an empty pad, no image). */
  pixels: readonly number[] | null;
  /** The cards (numbered from 1, as on screen) whose models see it. */
  cards: number[];
}

/** What Inside shows for a model card: every layer's activations and the saliency, or why not. */
export interface SlotInside {
  inspection: ImageInspection | null;
  message: string | null;
}

/** The draw route's parameter: "12", "12@3" (a run's epoch) and optionally "~417" (test image 417 on the pad). */
export function parseDrawParam(param: string | null): { runId: number; epoch: number | null; testIndex: number | null } | null {
  const m = param === null ? null : /^(\d+)(?:@(\d+))?(?:~(\d+))?$/.exec(param);
  if (!m) return null;
  return { runId: Number(m[1]), epoch: m[2] === undefined ? null : Number(m[2]), testIndex: m[3] === undefined ? null : Number(m[3]) };
}

export function drawParam(runId: number, epoch: number | null, testIndex: number | null = null): string {
  return `${runId}${epoch === null ? '' : `@${epoch}`}${testIndex === null ? '' : `~${testIndex}`}`;
}

export function checkpointKey(c: Pick<CheckpointInfo, 'kind' | 'epoch'>): string {
  return c.kind === 'epoch' ? `epoch:${c.epoch}` : c.kind;
}

export function checkpointRef(key: string): CheckpointRef {
  if (key === 'final' || key === 'best') return { kind: key };
  const epoch = Number(key.slice('epoch:'.length));
  return { kind: 'epoch', epoch };
}

export function checkpointLabel(c: CheckpointInfo): string {
  const loss = c.valLoss === null ? '' : `, val_loss ${c.valLoss.toFixed(4)}`;
  if (c.kind === 'final') return `Final weights (epoch ${c.epoch})`;
  if (c.kind === 'best') return `Best by val_loss (epoch ${c.epoch}${loss})`;
  return `Epoch ${c.epoch}${loss}`;
}

/** Final first, then best, then epochs in order. */
export function sortedCheckpoints(checkpoints: readonly CheckpointInfo[]): CheckpointInfo[] {
  const rank = (c: CheckpointInfo) => (c.kind === 'final' ? 0 : c.kind === 'best' ? 1 : 2);
  return [...checkpoints].sort((a, b) => rank(a) - rank(b) || a.epoch - b.epoch);
}

export function defaultCheckpoint(run: RunDetail): string {
  const first = sortedCheckpoints(run.checkpoints)[0];
  return first ? checkpointKey(first) : 'final';
}

/** Why a run's model cannot be asked about a drawing, or null when it can. */
export function unsupportedReason(run: RunDetail): string | null {
  const shape = run.architecture.inputShape;
  if (acceptsMnistInput(shape)) return null;
  const from = run.dataset.name === 'mnist' ? '' : ` (it learned from the dataset “${run.dataset.name}”)`;
  return `Run #${run.id} takes input of shape ${shape.join('×')}${from}; a drawing becomes a ${IMAGE_SIDE}×${IMAGE_SIDE} grey image (${IMAGE_PIXELS} values, or ${IMAGE_SIDE}×${IMAGE_SIDE}×1), so this model can’t be asked here yet.`;
}

/** A sight's heading: the cards it is for, by number ("What model 2 sees"), or all of them. */
export function sightTitle(sight: Pick<ModelSight, 'cards'>, cardCount: number): string {
  if (sight.cards.length === cardCount) return cardCount === 1 ? 'What the model sees' : 'What the models see';
  if (sight.cards.length === 1) return `What model ${sight.cards[0]} sees`;
  return `What models ${sight.cards.slice(0, -1).join(', ')} and ${sight.cards.at(-1)} see`;
}

const IDLE: SlotResult = { status: 'idle', probabilities: null, message: null, ms: null };

/** One model card's run picker: what its search box holds and the runs the lab answered for it. */
export interface SlotPicker {
  search: string;
  choices: readonly RunListItem[];
}

export class DrawState {
  /** Full records of the runs the model cards show (a few: never the whole lab). */
  runs = $state.raw<RunDetail[]>([]);
  /** Runs with saved weights, newest first (no search): new cards start from these, and a card's picker shows them until its own search. */
  choices = $state.raw<RunListItem[]>([]);
  /** Each card's own picker (by slot id) while its search box holds text: typing in one card never changes another's. */
  pickers = $state.raw<Record<number, SlotPicker>>({});
  /** Runs with saved weights in the lab (0: say so), and runs without. */
  withWeights = $state(0);
  withoutWeights = $state(0);
  loadingRuns = $state(false);
  /** Said once, e.g. that a linked epoch had no checkpoint kept and the nearest kept one is shown. */
  notice = $state<string | null>(null);
  slots = $state.raw<ModelSlot[]>([]);
  results = $state.raw<Record<number, SlotResult>>({});
  strokes = $state.raw<Stroke[]>([]);
  image = $state.raw<{ name: string; buffer: PixelBuffer } | null>(null);
  /** The 28×28 the digit models see; null for an empty pad. */
  input = $state.raw<MnistInput | null>(null);
  /** The lab's datasets (from getSystemInfo): what a non-digit run's images look like. */
  datasets = $state.raw<DatasetInfo[]>([]);
  error = $state<string | null>(null);
  /** A prediction is scheduled or on its way (the e2e waits for this to settle). */
  scheduled = $state(false);
  inFlight = $state(0);

  /** Inside views open: each answer also brings every layer's activations and the saliency. */
  inside = $state(false);
  insides = $state.raw<Record<number, SlotInside>>({});

  /** What the cards' models see, one entry per distinct input (in card order); none for a model that can't be asked here. */
  readonly sights = $derived.by(() => this.#sights());

  readonly busy = $derived(this.scheduled || this.inFlight > 0);
  readonly empty = $derived(this.strokes.length === 0 && this.image === null);
  readonly canAdd = $derived(this.slots.length < MAX_MODELS && this.withWeights > 0);

  #nextSlot = 1;
  /** See #inLane: per slot, the request on its way and the newest one waiting for it. */
  readonly #lanes = new Map<string, { next: (() => Promise<void>) | null; running: Promise<void> | null }>();
  #timer: ReturnType<typeof setTimeout> | null = null;
  #reloadTimer: ReturnType<typeof setTimeout> | null = null;
  #generation = 0;
  /** The latest search asked per picker (slot id; -1 the lab-wide newest list): an older answer is dropped. */
  #searchTokens = new Map<number, number>();
  #searchCount = 0;
  #drawing: Stroke | null = null;
  /** The opened image fitted to each shape asked so far (a photo is large: fitted once per image and shape). */
  #fitted: { image: object; byShape: Map<string, number[]> } | null = null;
  readonly #throttleMs: number;
  readonly #now: () => number;

  constructor(
    private readonly api: LabApi,
    options: DrawOptions = {},
  ) {
    this.#throttleMs = options.throttleMs ?? 120;
    this.#now = options.now ?? (() => performance.now());
  }

  // ---- runs and models ----

  /** Finds runs with weights (the search as typed), keeps the chosen models that still exist, else shows the two newest. */
  async loadRuns(): Promise<void> {
    this.loadingRuns = true;
    try {
      await this.findRuns('');
      const kept: ModelSlot[] = [];
      for (const slot of this.slots) {
        const run = await this.#detail(slot.runId, true);
        if (run?.checkpoints.some((c) => checkpointKey(c) === slot.checkpoint)) kept.push(slot);
      }
      if (kept.length === 0) {
        // Two newest runs side by side to start with.
        const newest = await Promise.all(this.choices.slice(0, 2).map((r) => this.#detail(r.id)));
        this.slots = newest.filter((d): d is RunDetail => d !== null).map((run) => ({ id: this.#nextSlot++, runId: run.id, checkpoint: defaultCheckpoint(run) }));
      } else {
        this.slots = kept;
      }
      this.#keepDetailsOfSlots();
      this.error = null;
      this.#predictAll();
    } catch (err) {
      this.error = messageOf(err);
    } finally {
      this.loadingRuns = false;
    }
  }

  /**
   * Search as you type in one card's picker (`slotId`), or the lab-wide newest list (no slot): the lab answers with
   * matching runs that have weights; a newer search in the same picker wins. An empty search gives the card back the
   * newest list.
   */
  async findRuns(search: string, slotId?: number): Promise<void> {
    const key = slotId ?? -1;
    const token = ++this.#searchCount;
    this.#searchTokens.set(key, token);
    const text = search.trim().slice(0, 200);
    if (slotId !== undefined) this.#setPicker(slotId, text ? { search, choices: this.pickers[slotId]?.choices ?? this.choices } : null);
    if (slotId !== undefined && !text) return;
    const page = await this.api.queryRuns({ has: 'weights', limit: PICKER_RUNS, ...(text ? { search: text } : {}) });
    if (this.#searchTokens.get(key) !== token) return;
    if (slotId === undefined) {
      this.choices = page.runs;
      this.withWeights = page.total;
      this.withoutWeights = page.labTotal - page.total;
    } else if (this.slots.some((s) => s.id === slotId)) {
      this.#setPicker(slotId, { search, choices: page.runs });
    }
  }

  /** What a card's picker shows: its own search and answer, else the newest runs with weights. */
  pickerOf(slot: Pick<ModelSlot, 'id'>): SlotPicker {
    return this.pickers[slot.id] ?? { search: '', choices: this.choices };
  }

  #setPicker(slotId: number, picker: SlotPicker | null): void {
    const { [slotId]: _old, ...rest } = this.pickers;
    this.pickers = picker ? { ...rest, [slotId]: picker } : rest;
  }

  /** A run's full record (its checkpoints), fetched once while a card shows it. */
  async #detail(runId: number, refetch = false): Promise<RunDetail | null> {
    const known = this.runs.find((r) => r.id === runId);
    if (known && !refetch) return known;
    const detail = await this.api.getRun({ runId }).catch(() => null);
    const usable = detail && detail.checkpoints.length > 0 ? detail : null;
    this.runs = [...this.runs.filter((r) => r.id !== runId), ...(usable ? [usable] : [])];
    return usable;
  }

  /** Only the runs on a card stay loaded: the cache is bounded by MAX_MODELS, not by the lab. */
  #keepDetailsOfSlots(): void {
    const shown = new Set(this.slots.map((s) => s.runId));
    this.runs = this.runs.filter((r) => shown.has(r.id));
    const cards = new Set(this.slots.map((s) => s.id));
    if (Object.keys(this.pickers).some((id) => !cards.has(Number(id)))) this.pickers = Object.fromEntries(Object.entries(this.pickers).filter(([id]) => cards.has(Number(id))));
  }

  /** Follows the lab: a run that finishes becomes a model to pick. */
  connect(): Unsubscribe {
    const off = this.api.onRunEvent((event) => {
      if (event.type !== 'finished') return;
      if (this.#reloadTimer) clearTimeout(this.#reloadTimer);
      this.#reloadTimer = setTimeout(() => {
        this.#reloadTimer = null;
        void this.loadRuns();
      }, 300);
    });
    return () => {
      off();
      this.dispose();
    };
  }

  runOf(slot: ModelSlot): RunDetail | undefined {
    return this.runs.find((r) => r.id === slot.runId);
  }

  resultOf(slot: ModelSlot): SlotResult {
    return this.results[slot.id] ?? IDLE;
  }

  /** Adds a model: the newest run not shown yet, else another checkpoint of a shown one. */
  async addModel(): Promise<void> {
    if (!this.canAdd) return;
    const shown = new Set(this.slots.map((s) => `${s.runId}/${s.checkpoint}`));
    const freshChoice = this.choices.find((r) => !this.slots.some((s) => s.runId === r.id));
    const fresh = freshChoice ? await this.#detail(freshChoice.id) : null;
    let slot: Omit<ModelSlot, 'id'> | null = fresh ? { runId: fresh.id, checkpoint: defaultCheckpoint(fresh) } : null;
    if (!slot) {
      for (const run of this.runs) {
        const c = sortedCheckpoints(run.checkpoints).find((c) => !shown.has(`${run.id}/${checkpointKey(c)}`));
        if (c) {
          slot = { runId: run.id, checkpoint: checkpointKey(c) };
          break;
        }
      }
    }
    const first = this.runs[0];
    if (!slot && first) slot = { runId: first.id, checkpoint: defaultCheckpoint(first) };
    if (!slot || this.slots.length >= MAX_MODELS) return;
    const added = { id: this.#nextSlot++, ...slot };
    this.slots = [...this.slots, added];
    this.#predictSlots([added]);
  }

  removeModel(id: number): void {
    this.slots = this.slots.filter((s) => s.id !== id);
    const { [id]: _gone, ...rest } = this.results;
    this.results = rest;
    // The card's picker goes with it: pickers are bounded by the cards, not by the searches typed.
    this.#setPicker(id, null);
    this.#searchTokens.delete(id);
    this.#keepDetailsOfSlots();
  }

  /** Points a card at any run of the lab (found by the picker's search). */
  async setRun(id: number, runId: number): Promise<void> {
    const run = await this.#detail(runId);
    if (!run) {
      this.error = `Run #${runId} has no saved weights to draw with.`;
      return;
    }
    this.#updateSlot(id, { runId, checkpoint: defaultCheckpoint(run) });
    this.#keepDetailsOfSlots();
  }

  /**
   * Points the first model card at a run's epoch checkpoint (or its default weights for null), as a link from the
   * Runs screen asks (#/draw/12@3). An epoch whose checkpoint was not kept (long runs keep every few) snaps to the
   * nearest kept one, and says so. False, with an error, when the run has no weights.
   */
  async preselect(runId: number, epoch: number | null): Promise<boolean> {
    const run = await this.#detail(runId);
    const kept = (run?.checkpoints ?? []).filter((c) => c.kind === 'epoch').map((c) => c.epoch);
    const snapped = epoch === null ? null : nearestKeptEpoch(kept, epoch);
    const checkpoint = run ? (epoch === null ? defaultCheckpoint(run) : snapped === null ? null : `epoch:${snapped}`) : null;
    if (!run || checkpoint === null) {
      this.error = `Run #${runId} has no saved ${epoch === null ? 'weights' : `checkpoint of epoch ${epoch}`} to draw with.`;
      return false;
    }
    this.notice = epoch !== null && snapped !== epoch ? `Epoch ${epoch} of run #${runId} has no checkpoint kept; showing epoch ${snapped}, the nearest kept.` : null;
    const first = this.slots[0];
    if (first) {
      if (first.runId !== runId || first.checkpoint !== checkpoint) this.#updateSlot(first.id, { runId, checkpoint });
    } else {
      const added = { id: this.#nextSlot++, runId, checkpoint };
      this.slots = [added];
      this.#predictSlots([added]);
    }
    this.#keepDetailsOfSlots();
    return true;
  }

  setCheckpoint(id: number, checkpoint: string): void {
    this.#updateSlot(id, { checkpoint });
  }

  #updateSlot(id: number, change: Partial<Omit<ModelSlot, 'id'>>): void {
    let updated: ModelSlot | null = null;
    this.slots = this.slots.map((s) => (s.id === id ? (updated = { ...s, ...change }) : s));
    if (updated) this.#predictSlots([updated]);
  }

  insideOf(slot: ModelSlot): SlotInside | null {
    return this.insides[slot.id] ?? null;
  }

  setInside(on: boolean): void {
    this.inside = on;
    if (!on) this.insides = {};
    this.#predictAll();
  }

  /** Puts a test image on the pad (from the projector): its grey bytes, as a dropped image. */
  async showTestImage(dataset: string, index: number): Promise<void> {
    try {
      const [image] = await this.api.getTestImages({ dataset, indices: [index] });
      if (!image) return;
      const bytes = Uint8Array.from(atob(image.pixels), (c) => c.charCodeAt(0));
      const [height, width, channels] = image.shape ?? [28, 28, 1];
      // Grey bytes as they are; RGB as RGBA, the other layout a PixelBuffer has.
      const data = channels === 1 ? bytes : Uint8Array.from({ length: width * height * 4 }, (_, i) => (i % 4 === 3 ? 255 : (bytes[Math.floor(i / 4) * 3 + (i % 4)] ?? 0)));
      this.setImage(`test image #${index} (a ${image.label})`, { width, height, data });
    } catch (err) {
      this.error = `Couldn’t load test image ${index}: ${messageOf(err)}`;
    }
  }

  // ---- the drawing ----

  beginStroke(x: number, y: number): void {
    this.image = null;
    this.#drawing = { points: [{ x, y }] };
    this.strokes = [...this.strokes, this.#drawing];
    this.schedule();
  }

  extendStroke(x: number, y: number): void {
    const stroke = this.#drawing;
    if (!stroke) return;
    stroke.points.push({ x, y });
    // A new array so the pad redraws; the stroke object is the same.
    this.strokes = [...this.strokes];
    this.schedule();
  }

  endStroke(): void {
    if (!this.#drawing) return;
    this.#drawing = null;
    this.schedule();
  }

  get drawing(): boolean {
    return this.#drawing !== null;
  }

  undo(): void {
    this.#drawing = null;
    if (this.strokes.length) this.strokes = this.strokes.slice(0, -1);
    else this.image = null;
    this.refresh();
  }

  clear(): void {
    this.#drawing = null;
    this.strokes = [];
    this.image = null;
    this.error = null;
    this.refresh();
  }

  /** A dropped, pasted or opened image replaces the drawing. */
  setImage(name: string, buffer: PixelBuffer): void {
    this.#drawing = null;
    this.strokes = [];
    this.image = { name, buffer };
    this.error = null;
    this.refresh();
  }

  // ---- predictions ----

  /** Predicts after a pause, and at most every throttleMs while the pen moves. */
  schedule(): void {
    if (this.#timer) return;
    this.scheduled = true;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.refresh();
    }, this.#throttleMs);
  }

  /** Preprocesses now and asks every model. */
  refresh(): void {
    if (this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = null;
    }
    this.scheduled = false;
    try {
      this.input = this.image ? preprocessToMnist(this.image.buffer) : this.strokes.length ? preprocessToMnist(rasterizeStrokes(this.strokes, PAD_RASTER, STROKE_WIDTH)) : null;
    } catch (err) {
      this.input = null;
      // A photo need not look like a digit: only say so when no model could be asked about it as it is.
      const anyOwnData = this.slots.some((slot) => {
        const run = this.runOf(slot);
        return run !== undefined && this.#ownDataset(run) !== null;
      });
      this.error = anyOwnData ? null : `Couldn’t read that image: ${messageOf(err)}`;
    }
    this.#predictAll();
  }

  /** Resolves when every answer asked for so far has arrived (for tests and the e2e). */
  readonly settled = (): Promise<void> => this.#pending;
  #pending: Promise<void> = Promise.resolve();

  #predictAll(): void {
    this.#generation++;
    this.#predictSlots(this.slots);
  }

  #predictSlots(slots: readonly ModelSlot[]): void {
    const generation = this.#generation;
    const asked = slots.map((slot) => ({ slot, pixels: this.#pixelsFor(slot) }));
    for (const { slot, pixels } of asked) if (pixels === null) this.#setResult(slot.id, this.#unsupported(slot) ?? IDLE);
    const work = asked.flatMap(({ slot, pixels }) => (pixels === null ? [] : [this.#inLane(`${slot.id}`, () => this.#predictSlot(slot, pixels, generation))]));
    this.#pending = Promise.all([this.#pending, ...work]).then(() => undefined);
  }

  /**
   * Per model card, one request on its way at a time; a newer drawing waits
   * for it in one place, replacing any older one still waiting (it would only be dropped as stale).
   * Without this a moving pen queued a request per update in the serving process, and the newest
   * stroke's answer waited behind all of them (a slower model beside the seed MLP made it worse).
   * Resolves when the lane has nothing left to ask.
   */
  #inLane(key: string, job: () => Promise<void>): Promise<void> {
    let lane = this.#lanes.get(key);
    if (!lane) {
      lane = { next: null, running: null };
      this.#lanes.set(key, lane);
    }
    lane.next = job;
    if (!lane.running) {
      const l = lane;
      const drain = async () => {
        try {
          for (let next = l.next; next; next = l.next) {
            l.next = null;
            await next();
          }
        } finally {
          l.running = null;
        }
      };
      l.running = drain();
    }
    return lane.running as Promise<void>;
  }

  #unsupported(slot: ModelSlot): SlotResult | null {
    const run = this.runOf(slot);
    if (!run) return null;
    const own = this.#ownDataset(run);
    if (own) {
      return this.image
        ? null
        : { status: 'unsupported', probabilities: null, ms: null, message: `Run #${run.id} learned from “${own.name}” (${own.imageShape.join('×')} images, classes ${own.classNames.slice(0, 5).join(', ')}${own.classNames.length > 5 ? ', …' : ''}): drop, paste or open an image to ask it; the pad draws digits.` };
    }
    const message = unsupportedReason(run);
    return message ? { status: 'unsupported', probabilities: null, message, ms: null } : null;
  }

  /**
   * Nothing to ask this slot's model yet: an empty pad, or no digit found in it for a digit model. A
   * model of another dataset is asked about the opened image itself, digit or not.
   */
  idle(slot: ModelSlot): boolean {
    if (this.empty) return true;
    if (this.input) return false;
    const run = this.runOf(slot);
    return !(this.image && run && this.#ownDataset(run));
  }

  /** A non-digit run's dataset, when its model takes that dataset's images (Draw then asks it about dropped images). */
  #ownDataset(run: RunDetail): DatasetInfo | null {
    if (acceptsMnistInput(run.architecture.inputShape)) return null;
    const dataset = this.datasets.find((d) => d.name === run.dataset.name && !d.damaged);
    return dataset && isInputShapeFor(run.architecture.inputShape, dataset.imageShape as ImageShape) ? dataset : null;
  }

  /** What this slot's model is asked: the MNIST-like digit, or the dropped image fitted to its dataset's shape. */
  #pixelsFor(slot: ModelSlot): number[] | null {
    const run = this.runOf(slot);
    const own = run ? this.#ownDataset(run) : null;
    if (!own) return this.input?.pixels ?? null;
    try {
      return this.#fittedImage(own.imageShape as ImageShape);
    } catch (err) {
      this.error = `Couldn’t read that image: ${messageOf(err)}`;
      return null;
    }
  }

  /** The opened image as a model of this input shape takes it (null: no image); throws when it can't be read. */
  #fittedImage(shape: ImageShape): number[] | null {
    const image = this.image;
    if (!image) return null;
    if (this.#fitted?.image !== image) this.#fitted = { image, byShape: new Map() };
    const key = shape.join('×');
    let pixels = this.#fitted.byShape.get(key);
    if (!pixels) {
      pixels = imageToInput(image.buffer, shape);
      this.#fitted.byShape.set(key, pixels);
    }
    return pixels;
  }

  /** See `sights`. An image that can't be read shows nothing here (#pixelsFor says why). */
  #sights(): ModelSight[] {
    const sights: ModelSight[] = [];
    this.slots.forEach((slot, i) => {
      const run = this.runOf(slot);
      if (!run) return;
      const own = this.#ownDataset(run);
      if (!own && !acceptsMnistInput(run.architecture.inputShape)) return;
      const kind = own ? 'image' : 'digit';
      const shape: ImageShape = own ? (own.imageShape as ImageShape) : [...IMAGE_INPUT_SHAPE];
      const same = sights.find((s) => s.kind === kind && s.shape.join('×') === shape.join('×'));
      if (same) {
        same.cards.push(i + 1);
        if (own && !same.datasets.includes(own.name)) same.datasets.push(own.name);
        return;
      }
      let pixels: number[] | null = null;
      try {
        pixels = own ? this.#fittedImage(shape) : (this.input?.pixels ?? null);
      } catch {
        pixels = null;
      }
      sights.push({ kind, shape, datasets: own ? [own.name] : [], pixels, cards: [i + 1] });
    });
    return sights;
  }

  #setResult(id: number, result: SlotResult): void {
    this.results = { ...this.results, [id]: result };
  }

  /**
   * The card's answer: a prediction, or with the inside open an inspection (which carries the probabilities too).
   * The inside views read digits: a model of another dataset is only asked for its prediction.
   */
  async #predictSlot(slot: ModelSlot, pixels: number[], generation: number): Promise<void> {
    const run = this.runOf(slot);
    if (!run) return;
    const unsupported = this.#unsupported(slot);
    if (unsupported) {
      this.#setResult(slot.id, unsupported);
      return;
    }
    const previous = this.resultOf(slot);
    this.#setResult(slot.id, { ...previous, status: 'loading', message: null });
    const stale = () => generation !== this.#generation || !this.slots.some((s) => s.id === slot.id && s.runId === slot.runId && s.checkpoint === slot.checkpoint);
    // With the inside open one inspection answers both: its probabilities are the prediction's (one
    // forward pass and one request per card and update instead of two).
    const inside = this.inside;
    const started = this.#now();
    this.inFlight++;
    try {
      const checkpoint = checkpointRef(slot.checkpoint);
      const inspection = inside && this.#ownDataset(run) === null ? await this.api.inspectImage({ runId: slot.runId, checkpoint, image: pixels }) : null;
      const probabilities = inspection ? [inspection.probabilities] : (await this.api.predict({ runId: slot.runId, checkpoint, images: [pixels] })).probabilities;
      if (stale()) return;
      if (inspection && this.inside) this.insides = { ...this.insides, [slot.id]: { inspection, message: null } };
      const row = probabilities[0] ?? [];
      const classes = this.#ownDataset(run)?.classNames.length ?? NUM_CLASSES;
      if (row.length !== classes) {
        this.#setResult(slot.id, { status: 'unsupported', probabilities: null, message: `Run #${run.id} answers ${row.length} values, not one per class (${classes}).`, ms: null });
        return;
      }
      this.#setResult(slot.id, { status: 'ready', probabilities: row, message: null, ms: this.#now() - started });
    } catch (err) {
      if (stale()) return;
      const message = messageOf(err);
      this.#setResult(slot.id, { status: 'error', probabilities: null, message, ms: null });
      if (inside && this.inside) this.insides = { ...this.insides, [slot.id]: { inspection: null, message } };
    } finally {
      this.inFlight--;
    }
  }

  dispose(): void {
    if (this.#timer) clearTimeout(this.#timer);
    if (this.#reloadTimer) clearTimeout(this.#reloadTimer);
    this.scheduled = false;
    this.#timer = null;
    this.#reloadTimer = null;
  }
}

/** Index of the largest probability (the model's answer). */
export function topClass(probabilities: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < probabilities.length; i++) if ((probabilities[i] ?? 0) > (probabilities[best] ?? 0)) best = i;
  return best;
}
