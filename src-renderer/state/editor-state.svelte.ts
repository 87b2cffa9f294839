// The architecture being drawn: an ordered layer stack, validated and summarised live by the
// contract's analyzeArchitecture on every change.
import {
  analyzeArchitecture,
  MNIST_DATA_SHAPE,
  layerInfoAt,
  type ArchitectureAnalysis,
  type ArchitectureIssue,
  type LayerInfo,
} from '../../src-shared/analyze-architecture.ts';
import { isFunctionalSpec, type Architecture, type InputShape, type LayerType } from '../../src-shared/architecture.ts';
import { inputShapesFor, type DataShape } from '../../src-shared/dataset-shape.ts';
import { FLAT_INPUT_SHAPE } from '../../src-shared/mnist-shape.ts';
import { BYTES_PER_FLOAT, checkTrainingMemory, estimateTrainingMemory, type TrainingMemory, type TrainingPlan } from '../../src-shared/model-memory.ts';
import { PRESETS } from '../../src-shared/presets.ts';
import { removeLayers, resolveGraph, type EditResult, type GraphSpec, type ResolvedGraph } from '../lib/graph-edit.ts';
import { LAYER_FIELDS, defaultLayer } from '../lib/layer-fields.ts';
import { UndoHistory } from '../lib/undo-history.ts';

/** A layer as edited: its fields may hold anything the user typed until it is fixed. */
export type EditableLayer = { type: LayerType } & Record<string, unknown>;

export interface LayerItem {
  /** Stable identity for keyed lists and drag and drop; not part of the spec. */
  readonly id: number;
  readonly spec: EditableLayer;
}

/** The planned training (batch size, optimizer) and the lab's memory budget, as the lab will judge them. */
export interface MemoryLimit {
  plan: TrainingPlan;
  budgetBytes: number;
}

/** The spec as edited: the contract's form, fields possibly invalid. */
export interface EditedArchitecture {
  inputShape: InputShape;
  layers: EditableLayer[];
  /** The output layer's name, when it is not the last layer (functional form only). */
  output?: string;
}

/** How the Design view shows the model: a node canvas or the Sequential list. Both edit the same spec. */
export type DesignMode = 'graph' | 'stack';

export class EditorState {
  inputShape = $state<InputShape>([...FLAT_INPUT_SHAPE]);
  items = $state.raw<LayerItem[]>([]);
  output = $state<string | undefined>(undefined);
  // The list stays the default: it is what every screen and test knew before the canvas; the canvas is one click away.
  mode = $state<DesignMode>('stack');
  /** Why the last canvas gesture was refused (a cycle, a taken name…), until the next edit. */
  editError = $state<string | null>(null);
  canUndo = $state(false);
  canRedo = $state(false);
  readonly #history = new UndoHistory<EditedArchitecture>();
  /** Index of the layer new layers are added after; null adds at the end. */
  selected = $state<number | null>(null);
  /** The preset last loaded, and whether it was edited since. */
  presetId = $state<string | null>(null);
  modified = $state(false);
  /** The edited stack a preset load replaced, so it can be brought back. */
  replaced = $state.raw<EditedArchitecture | null>(null);

  #nextId = 1;

  readonly architecture = $derived<EditedArchitecture>({
    inputShape: this.inputShape,
    layers: this.items.map((i) => i.spec),
    ...(this.output !== undefined ? { output: this.output } : {}),
  });

  /** The chosen dataset's image shape and class count: what the model must take in and put out. */
  data = $state.raw<DataShape>(MNIST_DATA_SHAPE);
  /** Every layer's name and inputs, as the canvas draws them. */
  readonly graph: ResolvedGraph = $derived(resolveGraph(this.architecture as GraphSpec));

  /** Whether the spec uses the functional form (names, inbound lists or an output). */
  readonly functional = $derived(isFunctionalSpec(this.architecture));

  /** Set from the fit settings and the lab's system info; null until both are known. */
  memoryLimit = $state.raw<MemoryLimit | null>(null);

  /** The contract's analysis alone: shapes and parameters, whatever the memory. */
  readonly #shapes: ArchitectureAnalysis = $derived(analyzeArchitecture(this.architecture, this.data));

  /** What training the valid model will need, once the plan is known. */
  readonly memory: TrainingMemory | null = $derived(
    this.#shapes.ok && this.memoryLimit ? estimateTrainingMemory(this.architecture, this.#shapes, this.memoryLimit.plan) : null,
  );

  /** The analysis with the lab's memory limit applied, so a too-big model shows on its layer like any field error. */
  readonly analysis: ArchitectureAnalysis = $derived.by(() => {
    const shapes = this.#shapes;
    const limit = this.memoryLimit;
    const tooBig = limit ? checkTrainingMemory(this.architecture, shapes, limit.plan, limit.budgetBytes) : null;
    return tooBig ? { ...shapes, ok: false, issues: [tooBig], outputShape: null } : shapes;
  });

  /** Issues keyed by "layerNumber:field" (layer null → "model:field"). */
  readonly #issueIndex = $derived.by(() => {
    const index = new Map<string, ArchitectureIssue[]>();
    for (const issue of this.analysis.issues) {
      const key = `${issue.layer ?? 'model'}:${issue.field}`;
      const list = index.get(key);
      if (list) list.push(issue);
      else index.set(key, [issue]);
    }
    return index;
  });

  /** Why training cannot start yet, or null when the architecture is valid. */
  readonly trainBlocker: string | null = $derived.by(() => {
    const first = this.analysis.issues[0];
    if (!first) return null;
    const more = this.analysis.issues.length - 1;
    return more > 0 ? `${first.message} (and ${more} more ${more === 1 ? 'problem' : 'problems'})` : first.message;
  });

  readonly estimate = $derived({
    params: this.analysis.totalParams,
    trainableParams: this.analysis.trainableParams,
    weightBytes: this.analysis.totalParams * BYTES_PER_FLOAT,
  });

  constructor(initial: Architecture | null = PRESETS[0]?.architecture ?? null, presetId: string | null = PRESETS[0]?.id ?? null) {
    if (initial) this.load(initial, presetId);
  }

  get canTrain(): boolean {
    return this.analysis.ok;
  }

  /** The spec to send, only when valid. */
  validArchitecture(): Architecture | null {
    return this.analysis.ok ? (structuredClone($state.snapshot(this.architecture)) as unknown as Architecture) : null;
  }

  load(architecture: Architecture, presetId: string | null = null): void {
    if (this.items.length) this.#record();
    this.#set(architecture as unknown as EditedArchitecture);
    this.selected = null;
    this.presetId = presetId;
    this.modified = false;
    this.replaced = null;
  }

  loadPreset(id: string): void {
    const preset = PRESETS.find((p) => p.id === id);
    if (!preset) throw new Error(`no preset "${id}"`);
    const before = this.modified ? this.#snapshot() : null;
    this.load(preset.architecture, preset.id);
    // Presets are written for MNIST: fit their input and output to the chosen dataset.
    this.#fitTo(MNIST_DATA_SHAPE, this.data);
    this.replaced = before;
  }

  /**
   * The chosen dataset changed: the input follows it (flat stays flat, image stays image), and a
   * last Dense layer with one unit per old class gets one per new class. Other layers are the user's.
   */
  followDataset(data: DataShape): void {
    const before = this.data;
    if (before.classCount === data.classCount && before.imageShape.every((n, i) => n === data.imageShape[i])) return;
    this.data = data;
    this.#fitTo(before, data);
  }

  #fitTo(from: DataShape, to: DataShape): void {
    const shapes = inputShapesFor(to.imageShape);
    this.inputShape = this.inputShape.length === 1 ? shapes.flat : shapes.image;
    const last = this.items[this.items.length - 1];
    if (last && last.spec.type === 'dense' && last.spec.units === from.classCount && from.classCount !== to.classCount) {
      this.items = [...this.items.slice(0, -1), { id: last.id, spec: { ...last.spec, units: to.classCount } }];
    }
  }

  /** Brings back the edits a preset load replaced. */
  restoreReplaced(): void {
    const before = this.replaced;
    if (!before) return;
    this.load(before as unknown as Architecture, null);
    this.modified = true;
  }

  setInputShape(shape: InputShape): void {
    this.#record();
    this.inputShape = shape;
    this.#touch();
  }

  /** Adds a layer with sensible defaults after the selected one (or at `at`); selects it. */
  add(type: LayerType, at: number = this.selected === null ? this.items.length : this.selected + 1): number {
    const index = clamp(at, 0, this.items.length);
    this.#record();
    this.items = [...this.items.slice(0, index), this.#item(defaultLayer(type) as EditableLayer), ...this.items.slice(index)];
    this.selected = index;
    this.#touch();
    return index;
  }

  remove(index: number): void {
    if (!this.items[index]) return;
    if (this.functional) {
      // In a graph, removing a layer rewires its readers (removeLayers bridges a one-input layer).
      const name = this.graph.nodes[index]?.name;
      if (name) this.applyGraphEdit(removeLayers(this.architecture as GraphSpec, [name]));
      this.selected = null;
      return;
    }
    this.#record();
    this.items = this.items.filter((_, i) => i !== index);
    if (this.selected !== null) {
      if (this.items.length === 0) this.selected = null;
      else if (this.selected >= index) this.selected = Math.max(0, Math.min(this.selected - (this.selected > index ? 1 : 0), this.items.length - 1));
    }
    this.#touch();
  }

  duplicate(index: number): number | null {
    const item = this.items[index];
    if (!item) return null;
    this.#record();
    const { name: _name, ...fields } = structuredClone($state.snapshot(item.spec)) as EditableLayer;
    const copy = this.#item(fields as EditableLayer);
    this.items = [...this.items.slice(0, index + 1), copy, ...this.items.slice(index + 1)];
    this.selected = index + 1;
    this.#touch();
    return index + 1;
  }

  /** Moves the layer at `from` so it ends up at index `to`. */
  move(from: number, to: number): void {
    const item = this.items[from];
    if (!item) return;
    const target = clamp(to, 0, this.items.length - 1);
    if (target === from) return;
    this.#record();
    const rest = this.items.filter((_, i) => i !== from);
    this.items = [...rest.slice(0, target), item, ...rest.slice(target)];
    if (this.selected === from) this.selected = target;
    this.#touch();
  }

  moveBy(index: number, delta: number): number {
    const to = clamp(index + delta, 0, this.items.length - 1);
    this.move(index, to);
    return to;
  }

  /** Sets one field; undefined removes it (Keras' default applies). */
  update(index: number, field: string, value: unknown): void {
    const item = this.items[index];
    if (!item || field === 'type') return;
    // Typing into one field is one undo step, however many keys it took.
    this.#record(`${item.id}:${field}`);
    const spec: EditableLayer = { ...item.spec };
    if (value === undefined) delete spec[field];
    else spec[field] = value;
    this.items = this.items.map((it, i) => (i === index ? { id: it.id, spec } : it));
    this.#touch();
  }

  /** Replaces a layer by another type, keeping nothing but its place. */
  changeType(index: number, type: LayerType): void {
    const item = this.items[index];
    if (!item || item.spec.type === type) return;
    this.#record();
    // The layer keeps its place in the graph (name, inputs); its fields start over.
    const keep: Record<string, unknown> = {};
    if ('name' in item.spec) keep.name = item.spec.name;
    if ('inbound' in item.spec) keep.inbound = item.spec.inbound;
    this.items = this.items.map((it, i) => (i === index ? { id: it.id, spec: { ...(defaultLayer(type) as EditableLayer), ...keep } } : it));
    this.#touch();
  }

  select(index: number | null): void {
    this.selected = index === null || !this.items[index] ? null : index;
  }

  /** The contract's messages for one field of the layer at `index` (0-based). */
  fieldIssues(index: number, field: string): string[] {
    return (this.#issueIndex.get(`${index + 1}:${field}`) ?? []).map((i) => i.message);
  }

  /** Messages about the layer as a whole (its type or its place), not one of its fields. */
  layerIssues(index: number): string[] {
    const item = this.items[index];
    if (!item) return [];
    const fields = new Set(LAYER_FIELDS[item.spec.type].map((f) => f.name));
    return this.analysis.issues.filter((i) => i.layer === index + 1 && !fields.has(i.field)).map((i) => i.message);
  }

  /** Messages about the whole model (input shape, layer count, final layer). */
  get modelIssues(): string[] {
    return this.analysis.issues.filter((i) => i.layer === null).map((i) => i.message);
  }

  hasIssues(index: number): boolean {
    return this.analysis.issues.some((i) => i.layer === index + 1);
  }

  /** Output shape and params of the layer at `index`, when inference got that far. */
  layerInfo(index: number): LayerInfo | undefined {
    return layerInfoAt(this.analysis, index);
  }

  /**
   * Applies a graph edit (graph-edit.ts) as one undo step. A refused edit changes nothing and
   * leaves its reason in `editError`; returns whether the edit was applied.
   */
  applyGraphEdit(result: EditResult): boolean {
    if (!result.ok) {
      this.editError = result.error;
      return false;
    }
    this.#record();
    this.#set(result.spec as unknown as EditedArchitecture);
    this.#touch();
    return true;
  }

  /** Index of the layer called `name` (explicitly or by Keras' default), or -1. */
  indexOf(name: string): number {
    return this.graph.nodes.findIndex((n) => n.name === name);
  }

  /** Output shape and params of the layer called `name`, when inference got that far. */
  infoByName(name: string): LayerInfo | undefined {
    const index = this.indexOf(name);
    return index >= 0 ? layerInfoAt(this.analysis, index) : undefined;
  }

  undo(): boolean {
    const before = this.#history.undo(this.#snapshot());
    if (!before) return false;
    this.#restore(before);
    return true;
  }

  redo(): boolean {
    const after = this.#history.redo(this.#snapshot());
    if (!after) return false;
    this.#restore(after);
    return true;
  }

  #restore(spec: EditedArchitecture): void {
    this.#set(spec);
    this.#syncHistory();
    this.modified = true;
    this.editError = null;
  }

  #snapshot(): EditedArchitecture {
    return structuredClone($state.snapshot(this.architecture)) as EditedArchitecture;
  }

  /** Records the spec as it is now, for undo; `key` merges consecutive edits of one field. */
  #record(key: string | null = null): void {
    this.#history.record(this.#snapshot(), key);
    this.#syncHistory();
  }

  #syncHistory(): void {
    this.canUndo = this.#history.canUndo;
    this.canRedo = this.#history.canRedo;
  }

  /**
   * Replaces the whole spec. Layers keep their identity (keyed lists, canvas nodes) when their
   * name survives the edit, so a graph edit does not rebuild every card and node.
   */
  #set(spec: EditedArchitecture): void {
    const oldIds = new Map(this.graph.nodes.map((n) => [n.name, this.items[n.index]?.id]));
    const selectedId = this.selected === null ? undefined : this.items[this.selected]?.id;
    const next = resolveGraph(spec as GraphSpec);
    const used = new Set<number>();
    this.inputShape = [...spec.inputShape] as InputShape;
    this.items = spec.layers.map((layer, i) => {
      const id = oldIds.get(next.nodes[i]!.name);
      const spec = { ...(structuredClone(layer) as EditableLayer) };
      if (id !== undefined && !used.has(id)) {
        used.add(id);
        return { id, spec };
      }
      return this.#item(spec);
    });
    this.output = typeof spec.output === 'string' ? spec.output : undefined;
    // A graph edit may reorder the list (topological order): the selection follows its layer.
    const at = selectedId === undefined ? -1 : this.items.findIndex((i) => i.id === selectedId);
    this.selected = at >= 0 ? at : null;
  }

  #item(spec: EditableLayer): LayerItem {
    return { id: this.#nextId++, spec };
  }

  #touch(): void {
    this.modified = true;
    this.replaced = null;
    this.editError = null;
  }
}

function clamp(n: number, lo: number, hi: number): number {
  return Math.max(lo, Math.min(hi, n));
}
