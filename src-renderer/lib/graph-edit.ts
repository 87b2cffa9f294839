// Graph edits on an architecture spec, as pure functions: every canvas gesture (add, connect,
// disconnect, delete, rename, paste) turns one spec into the next, so the canvas, the stack view
// and undo all work on the same value, and each edit is tested without a DOM.
//
// The spec speaks Keras' functional vocabulary: a layer may carry a `name` and an `inbound` list
// of layer names ("input" is the model's input); a layer without `inbound` takes the previous
// one; `output` names the output layer (default: the last). A spec whose graph is a plain chain
// with Keras' default names is written back in today's Sequential form, so a Sequential model
// edited on the canvas stays Sequential.
import {
  INPUT_REF,
  KERAS_INPUT_NAME,
  KERAS_NAME_PREFIXES,
  LAYER_NAME_PATTERN,
  MAX_LAYER_NAME_LENGTH,
  MERGE_TYPES as MERGE_TYPE_LIST,
} from '../../src-shared/architecture.ts';

/** The model's input, as `inbound` lists name it. */
export const INPUT = INPUT_REF;

/** Layer types that merge several inputs; every other type takes exactly one. */
export const MERGE_TYPES: ReadonlySet<string> = new Set(MERGE_TYPE_LIST);

/** Names no layer may take (the input's, in the spec and in Keras' summary). */
const RESERVED_NAMES: ReadonlySet<string> = new Set([INPUT_REF, KERAS_INPUT_NAME]);

/** A layer as edited: fields may hold anything typed until fixed. */
export type GraphLayer = { type: string } & Record<string, unknown>;

export interface GraphSpec {
  inputShape: readonly number[];
  layers: readonly GraphLayer[];
  output?: string;
}

export interface GraphNode {
  /** Position in `layers`. */
  index: number;
  name: string;
  type: string;
  /** Where its inputs come from: layer names or INPUT, explicit or implied by the order. */
  inbound: string[];
}

export interface ResolvedGraph {
  nodes: GraphNode[];
  /** The output layer's name (explicit, or the last layer's), null when there are no layers. */
  output: string | null;
}

export type EditResult = { ok: true; spec: GraphSpec; names: string[] } | { ok: false; error: string };

/** Keras' name prefix for a type (dense → dense, maxPooling2d → max_pooling2d). */
export function namePrefix(type: string): string {
  const known = (KERAS_NAME_PREFIXES as Record<string, string | undefined>)[type];
  return known ?? type.replace(/([a-z])([A-Z0-9])/g, '$1_$2').toLowerCase();
}

const explicitName = (layer: GraphLayer): string | null => (typeof layer.name === 'string' && layer.name !== '' ? layer.name : null);

/**
 * Keras' automatic names as the contract gives them: <prefix>_<n>, counted per type over the
 * unnamed layers in list order (a named layer keeps its name and takes no number).
 */
export function defaultNames(layers: readonly GraphLayer[]): (string | null)[] {
  const counts = new Map<string, number>();
  return layers.map((layer) => {
    if (explicitName(layer) !== null) return null;
    const prefix = namePrefix(layer.type);
    const n = (counts.get(prefix) ?? 0) + 1;
    counts.set(prefix, n);
    return `${prefix}_${n}`;
  });
}

/** Names and inbound lists of every layer, explicit or implied. */
export function resolveGraph(spec: GraphSpec): ResolvedGraph {
  const defaults = defaultNames(spec.layers);
  const names = spec.layers.map((layer, i) => explicitName(layer) ?? defaults[i]!);
  const nodes = spec.layers.map((layer, index): GraphNode => {
    const inbound = Array.isArray(layer.inbound)
      ? layer.inbound.filter((s): s is string => typeof s === 'string')
      : [index === 0 ? INPUT : names[index - 1]!];
    return { index, name: names[index]!, type: layer.type, inbound };
  });
  const output = typeof spec.output === 'string' ? spec.output : (names[names.length - 1] ?? null);
  return { nodes, output };
}

/** Every layer with its name and inbound written out, so the list order no longer matters. */
export function toExplicit(spec: GraphSpec): GraphSpec {
  const graph = resolveGraph(spec);
  const layers = spec.layers.map((layer, i) => ({ ...layer, name: graph.nodes[i]!.name, inbound: [...graph.nodes[i]!.inbound] }));
  return { inputShape: spec.inputShape, layers, ...(typeof spec.output === 'string' ? { output: spec.output } : {}) };
}

/**
 * Moves the graph's one natural output last, so the default output (the last layer) is the one a
 * user means: among the layers nothing reads, the single one that has an input. A layer nothing
 * reads can always go last without breaking the topological order.
 */
function sinkLast(layers: GraphLayer[]): GraphLayer[] {
  const read = new Set(layers.flatMap((l) => l.inbound as string[]));
  const sinks = layers.filter((l) => !read.has(l.name as string) && (l.inbound as string[]).length > 0);
  if (sinks.length !== 1) return layers;
  const sink = sinks[0]!;
  return [...layers.filter((l) => l !== sink), sink];
}

/**
 * The spec as the lab stores it: layers in topological order (when there is no cycle), `inbound`
 * only where a layer does not take the previous one, and no names either when the graph is a
 * chain with Keras' default names (today's Sequential form).
 */
export function canonical(spec: GraphSpec): GraphSpec {
  const explicit = toExplicit(spec);
  const ordered = topologicalOrder(explicit);
  const sorted = ordered ? ordered.map((i) => explicit.layers[i]!) : [...explicit.layers];
  const layers = ordered && explicit.output === undefined ? sinkLast(sorted) : sorted;
  // The names these layers would get with no name written: a chain keeps its names only if they match.
  const defaults = defaultNames(layers.map((l) => ({ type: l.type })));
  const isChain =
    layers.every((layer, i) => {
      const inbound = layer.inbound as string[];
      return layer.name === defaults[i] && inbound.length === 1 && inbound[0] === (i === 0 ? INPUT : defaults[i - 1]);
    }) &&
    (explicit.output === undefined || explicit.output === defaults[defaults.length - 1]);
  if (isChain) {
    return {
      inputShape: spec.inputShape,
      layers: layers.map((layer) => {
        const { name: _name, inbound: _inbound, ...rest } = layer;
        return rest as GraphLayer;
      }),
    };
  }
  const last = layers[layers.length - 1];
  const output = explicit.output !== undefined && explicit.output !== last?.name ? { output: explicit.output } : {};
  // `inbound` only where a layer does not take the one before it (the contract's default), so a
  // chain with names of its own stays a Sequential spec.
  const minimal = ordered
    ? layers.map((layer, i) => {
        const inbound = layer.inbound as string[];
        const previous = i === 0 ? INPUT : (layers[i - 1]!.name as string);
        if (inbound.length !== 1 || inbound[0] !== previous) return layer;
        const { inbound: _inbound, ...rest } = layer;
        return rest as GraphLayer;
      })
    : layers;
  return { inputShape: spec.inputShape, layers: minimal, ...output };
}

/** Indices of the layers in an order where every layer comes after its inputs; null on a cycle. */
export function topologicalOrder(spec: GraphSpec): number[] | null {
  const { nodes } = resolveGraph(spec);
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const state = new Map<string, 'visiting' | 'done'>();
  const order: number[] = [];
  const visit = (node: GraphNode): boolean => {
    const s = state.get(node.name);
    if (s === 'done') return true;
    if (s === 'visiting') return false;
    state.set(node.name, 'visiting');
    for (const source of node.inbound) {
      const from = byName.get(source);
      if (from && !visit(from)) return false;
    }
    state.set(node.name, 'done');
    order.push(node.index);
    return true;
  };
  for (const node of nodes) if (!visit(node)) return null;
  return order;
}

/** A name of the given type's prefix that no layer in `taken` has: <prefix>_<n>, smallest n. */
export function freshName(type: string, taken: ReadonlySet<string>): string {
  const prefix = namePrefix(type);
  for (let n = 1; ; n++) {
    const name = `${prefix}_${n}`;
    if (!taken.has(name) && !RESERVED_NAMES.has(name)) return name;
  }
}

const layerNames = (spec: GraphSpec): Set<string> => new Set(resolveGraph(spec).nodes.map((n) => n.name));

export interface AddOptions {
  /** Feed the new layer from this layer (or INPUT); absent → the new layer starts unconnected. */
  after?: string;
  /** With `after`: the layers that read `after` read the new layer instead (insert into the edge). */
  insert?: boolean;
}

/** Adds a layer (its fields as given) with a fresh name. */
export function addLayer(spec: GraphSpec, layer: GraphLayer, options: AddOptions = {}): EditResult {
  const explicit = toExplicit(spec);
  const taken = layerNames(explicit);
  if (options.after !== undefined && options.after !== INPUT && !taken.has(options.after)) return { ok: false, error: `no layer named "${options.after}"` };
  const name = freshName(layer.type, taken);
  const { name: _n, inbound: _i, ...fields } = layer;
  const added: GraphLayer = { ...fields, type: layer.type, name, inbound: options.after === undefined ? [] : [options.after] };
  let layers = [...explicit.layers];
  let output = explicit.output;
  if (options.after !== undefined && options.insert) {
    layers = layers.map((l) => ({ ...l, inbound: (l.inbound as string[]).map((s) => (s === options.after ? name : s)) }));
    if (output === options.after) output = name;
  }
  const at = options.after === undefined ? keepOutputAt(explicit) : indexAfter(layers, options.after);
  layers = [...layers.slice(0, at), added, ...layers.slice(at)];
  const next: GraphSpec = { inputShape: spec.inputShape, layers, ...(output !== undefined ? { output } : {}) };
  return { ok: true, spec: canonical(next), names: [name] };
}

/**
 * Where new layers go so that the output by default (the last layer) stays the output: before
 * the last layer, unless that one is unconnected itself (then nothing is worth keeping there).
 */
function keepOutputAt(explicit: GraphSpec): number {
  const n = explicit.layers.length;
  const last = explicit.layers[n - 1];
  const lastUnconnected = last !== undefined && (last.inbound as string[]).length === 0;
  return explicit.output === undefined && n > 0 && !lastUnconnected ? n - 1 : n;
}

function indexAfter(layers: readonly GraphLayer[], after: string): number {
  if (after === INPUT) return 0;
  const i = layers.findIndex((l) => l.name === after);
  return i < 0 ? layers.length : i + 1;
}

/** Whether `to` can reach `from` by following edges forward (so from → to would close a cycle). */
function reaches(spec: GraphSpec, from: string, to: string): boolean {
  const { nodes } = resolveGraph(spec);
  const consumers = new Map<string, string[]>();
  for (const n of nodes) for (const s of n.inbound) consumers.set(s, [...(consumers.get(s) ?? []), n.name]);
  const seen = new Set<string>();
  const stack = [from];
  while (stack.length) {
    const at = stack.pop()!;
    if (at === to) return true;
    if (seen.has(at)) continue;
    seen.add(at);
    stack.push(...(consumers.get(at) ?? []));
  }
  return false;
}

/**
 * Connects `from` (a layer or INPUT) to `to`. A merge layer gains one more input; any other layer
 * has exactly one, so the new edge replaces its old one.
 */
export function connect(spec: GraphSpec, from: string, to: string): EditResult {
  const explicit = toExplicit(spec);
  const names = layerNames(explicit);
  if (to === INPUT) return { ok: false, error: 'nothing can feed the input' };
  if (!names.has(to)) return { ok: false, error: `no layer named "${to}"` };
  if (from !== INPUT && !names.has(from)) return { ok: false, error: `no layer named "${from}"` };
  if (from === to) return { ok: false, error: `${to} cannot feed itself` };
  if (reaches(explicit, to, from)) return { ok: false, error: `${from} → ${to} would make a cycle: ${to} already feeds ${from}` };
  const target = explicit.layers.find((l) => l.name === to)!;
  const inbound = target.inbound as string[];
  if (inbound.includes(from)) return { ok: false, error: `${from} already feeds ${to}` };
  const nextInbound = MERGE_TYPES.has(target.type) ? [...inbound, from] : [from];
  const layers = explicit.layers.map((l) => (l.name === to ? { ...l, inbound: nextInbound } : l));
  return { ok: true, spec: canonical({ ...explicit, layers }), names: [to] };
}

/** Removes the edge from → to (the layer keeps its other inputs, or none). */
export function disconnect(spec: GraphSpec, from: string, to: string): EditResult {
  const explicit = toExplicit(spec);
  const target = explicit.layers.find((l) => l.name === to);
  if (!target || !(target.inbound as string[]).includes(from)) return { ok: false, error: `no edge ${from} → ${to}` };
  const layers = explicit.layers.map((l) => (l.name === to ? { ...l, inbound: (l.inbound as string[]).filter((s) => s !== from) } : l));
  return { ok: true, spec: canonical({ ...explicit, layers }), names: [to] };
}

/**
 * Deletes layers. A deleted layer with exactly one input is bridged: its readers read that input
 * instead, so removing a layer from a chain keeps the chain whole (as the stack view does).
 */
export function removeLayers(spec: GraphSpec, doomed: readonly string[]): EditResult {
  const explicit = toExplicit(spec);
  const gone = new Set(doomed.filter((n) => n !== INPUT));
  if (gone.size === 0) return { ok: false, error: 'nothing to delete' };
  const bridge = new Map<string, string[]>();
  for (const l of explicit.layers) if (gone.has(l.name as string)) bridge.set(l.name as string, l.inbound as string[]);
  const resolve = (source: string, seen = new Set<string>()): string[] => {
    if (!gone.has(source)) return [source];
    if (seen.has(source)) return [];
    seen.add(source);
    const inputs = bridge.get(source) ?? [];
    return inputs.length === 1 ? resolve(inputs[0]!, seen) : [];
  };
  const layers = explicit.layers
    .filter((l) => !gone.has(l.name as string))
    .map((l) => ({ ...l, inbound: unique((l.inbound as string[]).flatMap((s) => resolve(s))) }));
  let output = explicit.output;
  // A deleted output hands the role back to the default (the last layer).
  if (output !== undefined && gone.has(output)) output = undefined;
  const next: GraphSpec = { inputShape: spec.inputShape, layers, ...(output !== undefined ? { output } : {}) };
  return { ok: true, spec: canonical(next), names: [] };
}

const unique = (xs: string[]): string[] => [...new Set(xs)];

/** Renames a layer and every reference to it. */
export function renameLayer(spec: GraphSpec, from: string, to: string): EditResult {
  const explicit = toExplicit(spec);
  const names = layerNames(explicit);
  if (!names.has(from)) return { ok: false, error: `no layer named "${from}"` };
  if (to === from) return { ok: true, spec: canonical(explicit), names: [to] };
  if (!LAYER_NAME_PATTERN.test(to) || to.length > MAX_LAYER_NAME_LENGTH)
    return { ok: false, error: `a layer name starts with a letter and has at most ${MAX_LAYER_NAME_LENGTH} letters, digits or "_", got "${to}"` };
  if (RESERVED_NAMES.has(to)) return { ok: false, error: `"${to}" names the model's input` };
  if (names.has(to)) return { ok: false, error: `another layer is already named "${to}"` };
  const layers = explicit.layers.map((l) => ({
    ...l,
    name: l.name === from ? to : l.name,
    inbound: (l.inbound as string[]).map((s) => (s === from ? to : s)),
  }));
  const output = explicit.output === from ? to : explicit.output;
  return { ok: true, spec: canonical({ inputShape: spec.inputShape, layers, ...(output !== undefined ? { output } : {}) }), names: [to] };
}

/** Makes `name` the model's output. */
export function setOutput(spec: GraphSpec, name: string): EditResult {
  const explicit = toExplicit(spec);
  if (!layerNames(explicit).has(name)) return { ok: false, error: `no layer named "${name}"` };
  return { ok: true, spec: canonical({ ...explicit, output: name }), names: [name] };
}

/** A copied block: its layers with names and inbound written out. */
export interface Clip {
  layers: GraphLayer[];
}

export function copyBlock(spec: GraphSpec, names: readonly string[]): Clip | null {
  const wanted = new Set(names);
  const layers = toExplicit(spec).layers.filter((l) => wanted.has(l.name as string));
  return layers.length ? { layers: structuredClone(layers) } : null;
}

/**
 * Pastes a copied block under fresh names. Edges inside the block follow the renaming. An edge
 * from outside the block goes to `attachTo` when given (paste after the selected layer, so a
 * block pasted repeatedly stacks up), else it is kept when its source still exists (the copy reads
 * the same input), and dropped otherwise (the copy's input is left open for the user to connect).
 */
export function pasteBlock(spec: GraphSpec, clip: Clip, attachTo?: string): EditResult {
  const explicit = toExplicit(spec);
  const taken = layerNames(explicit);
  const renamed = new Map<string, string>();
  for (const l of clip.layers) {
    const name = freshName(l.type, taken);
    taken.add(name);
    renamed.set(l.name as string, name);
  }
  const existing = layerNames(explicit);
  if (attachTo !== undefined && attachTo !== INPUT && !existing.has(attachTo)) return { ok: false, error: `no layer named "${attachTo}"` };
  const outside = (source: string): string[] => {
    if (attachTo !== undefined) return [attachTo];
    return source === INPUT || existing.has(source) ? [source] : [];
  };
  const pasted = clip.layers.map((l) => ({
    ...structuredClone(l),
    name: renamed.get(l.name as string)!,
    inbound: unique((l.inbound as string[]).flatMap((s) => (renamed.has(s) ? [renamed.get(s)!] : outside(s)))),
  }));
  const output = explicit.output;
  const at = keepOutputAt(explicit);
  const layers = [...explicit.layers.slice(0, at), ...pasted, ...explicit.layers.slice(at)];
  const next: GraphSpec = { inputShape: spec.inputShape, layers, ...(output !== undefined ? { output } : {}) };
  return { ok: true, spec: canonical(next), names: pasted.map((l) => l.name) };
}

/** The edges of the graph, each a source (layer or INPUT) and a target layer with its input slot. */
export interface GraphEdge {
  from: string;
  to: string;
  /** Position in the target's inbound list (Keras' tensor order for merges). */
  slot: number;
}

export function graphEdges(spec: GraphSpec): GraphEdge[] {
  return resolveGraph(spec).nodes.flatMap((n) => n.inbound.map((from, slot) => ({ from, to: n.name, slot })));
}
