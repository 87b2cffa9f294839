// Validates an architecture spec of unknown origin — Sequential or functional — as a graph:
// resolves every layer's inputs, finds cycles, dangling layers and the output, infers every
// layer's output shape in topological order and counts parameters. Messages name the layer
// (1-based, as users count, plus its name when the spec gives one) and the field.
import {
  INPUT_REF,
  isFunctionalSpec,
  KERAS_CLASS_NAMES,
  KERAS_INPUT_NAME,
  KERAS_NAME_PREFIXES,
  LAYER_NAME_PATTERN,
  LAYER_TYPES,
  MAX_INBOUND,
  MAX_LAYER_NAME_LENGTH,
  MERGE_TYPES,
  pair,
  type Architecture,
  type LayerSpec,
  type LayerType,
} from './architecture.ts';
import { fieldProblem, GRAPH_FIELD_NAMES, LAYER_FIELDS, MAX_LAYERS, showValue as show } from './layer-fields.ts';
import { checkParameterCap } from './model-memory.ts';
import { FLAT_INPUT_SHAPE, IMAGE_INPUT_SHAPE, isMnistInputShape, NUM_CLASSES } from './mnist-shape.ts';

export interface ArchitectureIssue {
  /** 1-based layer number, or null for the model itself (inputShape, layers list, output). */
  layer: number | null;
  field: string;
  message: string;
  /** For a problem with one of the layer's inputs: that inbound name (the edge from it into this layer). */
  inbound?: string;
}

export interface LayerInfo {
  /** 0-based position in the spec's layers list. */
  index: number;
  /** The Keras name: the spec's `name`, or Keras' automatic one (dense_1, add_2, …). */
  name: string;
  className: string;
  type: LayerType;
  /** The layers whose outputs it takes, by name; "input" is the model's input. */
  inbound: string[];
  /** Output shape without the batch dimension. */
  outputShape: number[];
  params: number;
  trainableParams: number;
}

export interface ArchitectureAnalysis {
  ok: boolean;
  issues: ArchitectureIssue[];
  /**
   * Every layer whose output shape could be inferred, in spec order (`index` says where). In a
   * chain that is the layers up to the first one that could not be; in a graph, every layer
   * whose inputs all could be.
   */
  layers: LayerInfo[];
  totalParams: number;
  trainableParams: number;
  nonTrainableParams: number;
  outputShape: number[] | null;
  /** The model input's shape, when valid. */
  inputShape: number[] | null;
  /** Whether the spec uses the functional form (an `inbound` list or an `output`). */
  functional: boolean;
  /**
   * Spec indices in Keras' `model.layers` order (by depth from the output, ties by traversal
   * order), the order a functional summary lists and tfjs keeps weights in; the output's
   * ancestors only. Empty when the graph cannot be computed (a cycle, an unknown name…).
   */
  order: number[];
  /** Spec index of the output layer, or null when the spec names none that exists. */
  outputIndex: number | null;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

class IssueCollector {
  readonly issues: ArchitectureIssue[] = [];
  constructor(
    private readonly layer: number | null,
    readonly label: string,
  ) {}
  add(field: string, text: string, inbound?: string): void {
    this.issues.push({ layer: this.layer, field, message: `${this.label}: ${text}`, ...(inbound === undefined ? {} : { inbound }) });
  }
}

/** Field checks that need no shape: the layer's fields judged by their rules (layer-fields.ts). */
function checkLayerFields(type: LayerType, raw: Record<string, unknown>, c: IssueCollector): void {
  const fields = LAYER_FIELDS[type];
  for (const key of Object.keys(raw)) {
    if (key !== 'type' && !(GRAPH_FIELD_NAMES as readonly string[]).includes(key) && !fields.some((f) => f.name === key)) c.add(key, `unknown field "${key}" for a ${type} layer`);
  }
  for (const field of fields) {
    const problem = fieldProblem(field, raw[field.name]);
    if (problem !== null) c.add(field.name, problem);
  }
}

function convOutput(size: number, kernel: number, stride: number, padding: 'valid' | 'same'): number {
  return padding === 'same' ? Math.ceil(size / stride) : Math.floor((size - kernel) / stride) + 1;
}

interface ShapeResult {
  shape: number[];
  params: number;
  trainable: number;
}

/** One input of a layer: who gives it and its shape. */
interface InboundShape {
  name: string;
  shape: number[];
}

type Inferred = ShapeResult | { error: string; field: string; inbound?: string };

const product = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);
const sameShape = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((n, i) => n === b[i]);

/** Output shape of add / concatenate, or why the inputs cannot be joined. */
function inferMerge(type: 'add' | 'concatenate', inputs: InboundShape[]): Inferred {
  const [first, ...rest] = inputs as [InboundShape, ...InboundShape[]];
  const describe = (x: InboundShape) => `${x.name} gives ${formatShape(x.shape)}`;
  if (type === 'add') {
    const other = rest.find((x) => !sameShape(x.shape, first.shape));
    if (other) return { field: 'inbound', inbound: other.name, error: `add needs inputs of equal shape, but ${describe(first)} and ${describe(other)}` };
    return { shape: first.shape, params: 0, trainable: 0 };
  }
  const rank = first.shape.length;
  const otherRank = rest.find((x) => x.shape.length !== rank);
  if (otherRank) return { field: 'inbound', inbound: otherRank.name, error: `concatenate needs inputs of the same rank, but ${describe(first)} and ${describe(otherRank)}` };
  const mismatch = rest.find((x) => !sameShape(x.shape.slice(0, -1), first.shape.slice(0, -1)));
  if (mismatch) return { field: 'inbound', inbound: mismatch.name, error: `concatenate joins on the last axis, so the other axes must match, but ${describe(first)} and ${describe(mismatch)}` };
  const joined = inputs.reduce((sum, x) => sum + (x.shape[rank - 1] ?? 0), 0);
  return { shape: [...first.shape.slice(0, -1), joined], params: 0, trainable: 0 };
}

/** Output shape and parameters of a field-valid layer, or an error text. */
function inferLayer(layer: LayerSpec, inputs: InboundShape[]): Inferred {
  if (layer.type === 'add' || layer.type === 'concatenate') return inferMerge(layer.type, inputs);
  const input = (inputs[0] as InboundShape).shape;
  switch (layer.type) {
    case 'dense': {
      if (input.length !== 1) {
        return { field: 'type', error: `dense needs a flat input but gets ${formatShape(input)}; add a flatten layer before it` };
      }
      const fanIn = input[0] ?? 0;
      const params = fanIn * layer.units + (layer.useBias === false ? 0 : layer.units);
      return { shape: [layer.units], params, trainable: params };
    }
    case 'dropout':
    case 'activation':
      return { shape: input, params: 0, trainable: 0 };
    case 'flatten':
      return { shape: [product(input)], params: 0, trainable: 0 };
    case 'conv2d': {
      if (input.length !== 3) {
        return { field: 'type', error: `conv2d needs an image input (height × width × channels) but gets ${formatShape(input)}; use inputShape ${showShape(IMAGE_INPUT_SHAPE)}` };
      }
      const [h, w, cin] = input as [number, number, number];
      const [kh, kw] = pair(layer.kernelSize);
      const [sh, sw] = pair(layer.strides ?? 1);
      const padding = layer.padding ?? 'valid';
      const oh = convOutput(h, kh, sh, padding);
      const ow = convOutput(w, kw, sw, padding);
      if (oh < 1 || ow < 1) {
        return { field: 'kernelSize', error: `kernel ${kh}×${kw} does not fit the ${h}×${w} input; use a smaller kernel or padding "same"` };
      }
      const params = kh * kw * cin * layer.filters + (layer.useBias === false ? 0 : layer.filters);
      return { shape: [oh, ow, layer.filters], params, trainable: params };
    }
    case 'maxPooling2d':
    case 'averagePooling2d': {
      if (input.length !== 3) {
        return { field: 'type', error: `${layer.type} needs an image input but gets ${formatShape(input)}` };
      }
      const [h, w, c] = input as [number, number, number];
      const [ph, pw] = pair(layer.poolSize ?? 2);
      const [sh, sw] = pair(layer.strides ?? layer.poolSize ?? 2);
      const padding = layer.padding ?? 'valid';
      const oh = convOutput(h, ph, sh, padding);
      const ow = convOutput(w, pw, sw, padding);
      if (oh < 1 || ow < 1) {
        return { field: 'poolSize', error: `pool ${ph}×${pw} does not fit the ${h}×${w} input` };
      }
      return { shape: [oh, ow, c], params: 0, trainable: 0 };
    }
    case 'globalAveragePooling2d': {
      if (input.length !== 3) {
        return { field: 'type', error: `globalAveragePooling2d needs an image input (height × width × channels) but gets ${formatShape(input)}` };
      }
      return { shape: [input[2] as number], params: 0, trainable: 0 };
    }
    case 'reshape': {
      const target = layer.targetShape;
      if (product(target) !== product(input)) {
        return { field: 'targetShape', error: `targetShape ${showShape(target)} holds ${product(target)} values but the input ${formatShape(input)} holds ${product(input)}` };
      }
      return { shape: [...target], params: 0, trainable: 0 };
    }
    case 'batchNormalization': {
      const channels = input[input.length - 1] ?? 0;
      return { shape: input, params: 4 * channels, trainable: 2 * channels };
    }
  }
}

/** [28, 28, 1], as a spec writes it. */
const showShape = (shape: readonly number[]): string => `[${shape.join(', ')}]`;

export function formatShape(shape: readonly number[]): string {
  return `(None, ${shape.join(', ')})`;
}

function checkInputShape(raw: unknown, issues: ArchitectureIssue[]): number[] | null {
  if (!Array.isArray(raw) || !isMnistInputShape(raw)) {
    issues.push({ layer: null, field: 'inputShape', message: `inputShape must be ${showShape(FLAT_INPUT_SHAPE)} or ${showShape(IMAGE_INPUT_SHAPE)} (MNIST images), got ${show(raw)}` });
    return null;
  }
  return raw as number[];
}

/** A layer of the spec as the graph sees it; `type` null when the spec's type is not one we know. */
interface Node {
  index: number;
  type: LayerType | null;
  raw: Record<string, unknown> | null;
  /** Keras name; null for a layer without a valid type and name (nothing can refer to it). */
  name: string | null;
  /** The label messages use: layer 3 (add "sum"). */
  c: IssueCollector;
  /** Whether its own fields (type, fields, name, inbound list) are valid. */
  valid: boolean;
  /** Inputs as node indices (-1 = the model's input), once resolved; null when they cannot be. */
  inputs: number[] | null;
  /** The inbound names, as given or defaulted. */
  inboundNames: string[];
}

const INPUT = -1;
const RESERVED_NAMES = [INPUT_REF, KERAS_INPUT_NAME];

/** Validate and analyse a spec of unknown origin. Never throws. */
export function analyzeArchitecture(spec: unknown): ArchitectureAnalysis {
  const issues: ArchitectureIssue[] = [];
  const layers: LayerInfo[] = [];
  let functional = false;
  let order: number[] = [];
  let outputIndex: number | null = null;
  let inputShape: number[] | null = null;
  const result = (outputShape: number[] | null): ArchitectureAnalysis => {
    const totalParams = layers.reduce((s, l) => s + l.params, 0);
    const trainableParams = layers.reduce((s, l) => s + l.trainableParams, 0);
    return { ok: issues.length === 0, issues, layers, totalParams, trainableParams, nonTrainableParams: totalParams - trainableParams, outputShape, inputShape, functional, order, outputIndex };
  };
  if (!isRecord(spec)) {
    issues.push({ layer: null, field: '', message: `architecture must be an object with inputShape and layers, got ${show(spec)}` });
    return result(null);
  }
  for (const key of Object.keys(spec)) {
    if (key !== 'inputShape' && key !== 'layers' && key !== 'output') issues.push({ layer: null, field: key, message: `unknown architecture field "${key}"` });
  }
  inputShape = checkInputShape(spec.inputShape, issues);
  const rawLayers = spec.layers;
  if (!Array.isArray(rawLayers)) {
    issues.push({ layer: null, field: 'layers', message: `layers must be a list, got ${show(rawLayers)}` });
    return result(null);
  }
  functional = isFunctionalSpec({ layers: rawLayers, output: spec.output });
  if (rawLayers.length === 0) issues.push({ layer: null, field: 'layers', message: 'the model needs at least one layer' });
  if (rawLayers.length > MAX_LAYERS) issues.push({ layer: null, field: 'layers', message: `at most ${MAX_LAYERS} layers are supported, got ${rawLayers.length}` });

  const nodes = readNodes(rawLayers.slice(0, MAX_LAYERS), issues);
  const byName = checkNames(nodes, issues);
  resolveInbound(nodes, byName, issues);
  outputIndex = findOutput(spec.output, nodes, byName, issues);

  const { order: computable, hasCycle } = topologicalOrder(nodes, issues);
  inferShapes(nodes, computable, inputShape, layers);
  layers.sort((a, b) => a.index - b.index);
  // Shape errors were collected on the layers during inference; list every issue in spec order.
  for (const node of nodes) for (const issue of node.c.issues) if (!issues.includes(issue)) issues.push(issue);
  issues.sort((a, b) => (a.layer ?? 0) - (b.layer ?? 0));
  if (outputIndex !== null) checkConnections(nodes, byName, outputIndex, spec.output !== undefined, issues);
  if (hasCycle && outputIndex !== null && !computable.includes(outputIndex)) {
    issues.push({ layer: null, field: 'output', message: `the output layer ${(nodes[outputIndex] as Node).name ?? outputIndex + 1} cannot be reached from the input: a cycle lies on the way to it` });
  }

  const info = outputIndex === null ? undefined : layers.find((l) => l.index === outputIndex);
  if (issues.length === 0) {
    const cap = checkParameterCap(result(info?.outputShape ?? null));
    if (cap) issues.push(cap);
  }
  if (issues.length === 0 && outputIndex !== null) {
    const outNode = nodes[outputIndex] as Node;
    const which = spec.output === undefined ? 'the last layer' : `the output layer (${outNode.name})`;
    const shape = info?.outputShape ?? null;
    if (shape === null || shape.length !== 1 || shape[0] !== NUM_CLASSES) {
      issues.push({ layer: spec.output === undefined ? null : outputIndex + 1, field: spec.output === undefined ? 'layers' : 'output', message: `${which} must output ${NUM_CLASSES} classes ${formatShape([NUM_CLASSES])}, got ${shape ? formatShape(shape) : 'nothing'}; end with dense units ${NUM_CLASSES}` });
    } else if (outNode.raw?.activation !== 'softmax') {
      issues.push({ layer: outputIndex + 1, field: 'activation', message: `${outNode.c.label}: ${which} needs activation softmax for categorical crossentropy, got ${show(outNode.raw?.activation ?? 'linear')}` });
    }
  }
  if (issues.length === 0 && outputIndex !== null) order = kerasLayerOrder(nodes, outputIndex);
  return result(issues.length === 0 ? (info?.outputShape ?? null) : null);
}

/** Each layer's type, fields, name and inbound list, judged on their own; automatic names as Keras gives them. */
function readNodes(rawLayers: unknown[], issues: ArchitectureIssue[]): Node[] {
  const counters = new Map<LayerType, number>();
  return rawLayers.map((raw: unknown, index): Node => {
    const number = index + 1;
    const rawName = isRecord(raw) ? raw.name : undefined;
    const givenName = typeof rawName === 'string' ? rawName : null;
    if (!isRecord(raw) || typeof raw.type !== 'string' || !(LAYER_TYPES as readonly string[]).includes(raw.type)) {
      const got = isRecord(raw) ? show(raw.type) : show(raw);
      const label = `layer ${number}${givenName === null ? '' : ` "${givenName}"`}`;
      issues.push({ layer: number, field: 'type', message: `${label}: type must be one of ${LAYER_TYPES.join(', ')}, got ${got}` });
      return { index, type: null, raw: isRecord(raw) ? raw : null, name: givenName, c: new IssueCollector(number, label), valid: false, inputs: null, inboundNames: [] };
    }
    const type = raw.type as LayerType;
    const c = new IssueCollector(number, `layer ${number} (${type}${givenName === null ? '' : ` "${givenName}"`})`);
    checkLayerFields(type, raw, c);
    let name = givenName;
    if (rawName !== undefined) {
      if (givenName === null || !LAYER_NAME_PATTERN.test(givenName) || givenName.length > MAX_LAYER_NAME_LENGTH) {
        c.add('name', `name must be a letter followed by letters, digits or _ (at most ${MAX_LAYER_NAME_LENGTH} characters), got ${show(rawName)}`);
        name = null;
      } else if (RESERVED_NAMES.includes(givenName)) {
        c.add('name', `name "${givenName}" is reserved for the model's input; choose another`);
        name = null;
      }
    } else {
      // Keras numbers only the layers it names itself, per type, in the order they are made.
      const count = (counters.get(type) ?? 0) + 1;
      counters.set(type, count);
      name = `${KERAS_NAME_PREFIXES[type]}_${count}`;
    }
    const inbound = raw.inbound;
    if (inbound !== undefined) {
      const merge = (MERGE_TYPES as readonly string[]).includes(type);
      if (!Array.isArray(inbound) || !inbound.every((x) => typeof x === 'string')) {
        c.add('inbound', `inbound must be a list of layer names ("${INPUT_REF}" is the model's input), got ${show(inbound)}`);
      } else if (inbound.length > MAX_INBOUND) {
        c.add('inbound', `at most ${MAX_INBOUND} inputs can be joined, got ${inbound.length}`);
      } else if (merge && inbound.length < 2) {
        c.add('inbound', `${type} joins at least 2 layers, got ${inbound.length}${inbound.length ? ` (${inbound.join(', ')})` : ''}`);
      } else if (!merge && inbound.length !== 1) {
        c.add('inbound', `a ${type} layer takes exactly one input, got ${inbound.length}${inbound.length ? ` (${inbound.join(', ')}); join them with an add or concatenate layer first` : ''}`);
      }
    } else if ((MERGE_TYPES as readonly string[]).includes(type)) {
      c.add('inbound', `${type} joins at least 2 layers; list them in inbound`);
    }
    issues.push(...c.issues);
    return { index, type, raw, name, c, valid: c.issues.length === 0, inputs: null, inboundNames: [] };
  });
}

/** Names are unique: a later layer may not repeat a name given or made automatically earlier. */
function checkNames(nodes: Node[], issues: ArchitectureIssue[]): Map<string, number> {
  const byName = new Map<string, number>();
  for (const node of nodes) {
    if (node.name === null || node.type === null) continue;
    const taken = byName.get(node.name);
    if (taken === undefined) {
      byName.set(node.name, node.index);
      continue;
    }
    const takenHow = (nodes[taken] as Node).raw?.name === undefined ? 'Keras’ automatic name' : 'the name';
    const text =
      node.raw?.name === undefined
        ? `its automatic name "${node.name}" is already ${takenHow} of layer ${taken + 1}; give this layer a name`
        : `name "${node.name}" is already ${takenHow} of layer ${taken + 1}; names must be unique`;
    node.c.add('name', text);
    issues.push(node.c.issues[node.c.issues.length - 1] as ArchitectureIssue);
    node.valid = false;
  }
  return byName;
}

/** Each layer's inputs as indices: its inbound names, or the previous layer (the input for the first). */
function resolveInbound(nodes: Node[], byName: Map<string, number>, issues: ArchitectureIssue[]): void {
  for (const node of nodes) {
    if (node.type === null) continue;
    const inbound = node.raw?.inbound;
    if (inbound === undefined) {
      const previous = node.index === 0 ? null : (nodes[node.index - 1] as Node);
      node.inboundNames = [previous === null ? INPUT_REF : (previous.name ?? `layer ${node.index}`)];
      node.inputs = previous === null ? [INPUT] : previous.type === null ? null : [previous.index];
      continue;
    }
    if (!Array.isArray(inbound) || !node.valid) {
      node.inboundNames = Array.isArray(inbound) ? inbound.filter((x): x is string => typeof x === 'string') : [];
      continue;
    }
    node.inboundNames = inbound as string[];
    const inputs: number[] = [];
    for (const ref of inbound as string[]) {
      if (ref === INPUT_REF) {
        inputs.push(INPUT);
        continue;
      }
      const target = byName.get(ref);
      if (target === undefined) {
        const known = [INPUT_REF, ...nodes.filter((n) => n.name !== null && n.type !== null).map((n) => n.name as string)];
        node.c.add('inbound', `inbound "${ref}" names no layer; the names are ${known.join(', ')}`, ref);
        issues.push(node.c.issues[node.c.issues.length - 1] as ArchitectureIssue);
        continue;
      }
      inputs.push(target);
    }
    node.inputs = inputs.length === inbound.length ? inputs : null;
  }
}

function findOutput(raw: unknown, nodes: Node[], byName: Map<string, number>, issues: ArchitectureIssue[]): number | null {
  if (raw === undefined) return nodes.length === 0 ? null : nodes.length - 1;
  if (typeof raw !== 'string') {
    issues.push({ layer: null, field: 'output', message: `output must be the name of the output layer, got ${show(raw)}` });
    return null;
  }
  const index = byName.get(raw);
  if (index === undefined) {
    issues.push({ layer: null, field: 'output', message: `output "${raw}" names no layer; the names are ${nodes.filter((n) => n.name !== null && n.type !== null).map((n) => n.name).join(', ')}` });
    return null;
  }
  return index;
}

/**
 * Kahn's order over the layers that can be computed (valid, inputs resolved, no cycle upstream;
 * spec order among the ready ones). Each cycle is reported once, on the layer that closes it.
 */
function topologicalOrder(nodes: Node[], issues: ArchitectureIssue[]): { order: number[]; hasCycle: boolean } {
  const done = new Set<number>([INPUT]);
  const order: number[] = [];
  let progressed = true;
  while (progressed) {
    progressed = false;
    for (const node of nodes) {
      if (done.has(node.index) || node.inputs === null || !node.valid) continue;
      if (node.inputs.every((i) => done.has(i))) {
        done.add(node.index);
        order.push(node.index);
        progressed = true;
      }
    }
  }
  // What is left waits on a broken layer (already reported) or on a cycle (reported here).
  const inCycle = new Set<number>();
  for (const start of nodes) {
    if (done.has(start.index) || inCycle.has(start.index)) continue;
    const cycle = findCycleFrom(nodes, start.index);
    if (cycle === null || cycle.some((i) => inCycle.has(i))) continue;
    cycle.forEach((i) => inCycle.add(i));
    // Listed in data-flow order from the earliest layer; reported on the layer that takes a
    // later one's output (the edge that points backwards in the list), where the fix usually is.
    const flow = [...cycle].reverse();
    const first = flow.indexOf(Math.min(...flow));
    const ring = [...flow.slice(first), ...flow.slice(0, first)];
    const at = ring.findIndex((i, k) => (ring[(k + ring.length - 1) % ring.length] as number) >= i);
    const closer = nodes[ring[at] as number] as Node;
    const from = nodes[ring[(at + ring.length - 1) % ring.length] as number] as Node;
    const names = [...ring, ring[0] as number].map((i) => (nodes[i] as Node).name);
    closer.c.add('inbound', `layers ${names.join(' → ')} form a cycle; a layer cannot take its own output`, from.name ?? undefined);
    issues.push(closer.c.issues[closer.c.issues.length - 1] as ArchitectureIssue);
  }
  return { order, hasCycle: inCycle.size > 0 };
}

/** A cycle reachable from `start` by following inputs, as node indices (each feeds the previous), or null. */
function findCycleFrom(nodes: Node[], start: number): number[] | null {
  const path: number[] = [];
  const onPath = new Set<number>();
  const seen = new Set<number>();
  const visit = (i: number): number[] | null => {
    if (onPath.has(i)) return path.slice(path.indexOf(i));
    if (seen.has(i)) return null;
    seen.add(i);
    onPath.add(i);
    path.push(i);
    for (const j of (nodes[i] as Node).inputs ?? []) {
      if (j === INPUT) continue;
      const found = visit(j);
      if (found) return found;
    }
    path.pop();
    onPath.delete(i);
    return null;
  };
  return visit(start);
}

/** Shapes and parameters along the order; a layer whose inputs have no shape gets none (the cause is reported upstream). */
function inferShapes(nodes: Node[], order: number[], inputShape: number[] | null, layers: LayerInfo[]): void {
  const shapes = new Map<number, number[]>();
  if (inputShape !== null) shapes.set(INPUT, inputShape);
  for (const index of order) {
    const node = nodes[index] as Node;
    const inputs = (node.inputs as number[]).map((i, k) => ({ name: node.inboundNames[k] ?? INPUT_REF, shape: shapes.get(i) }));
    if (!inputs.every((x): x is InboundShape => x.shape !== undefined)) continue;
    const type = node.type as LayerType;
    const inferred = inferLayer(node.raw as unknown as LayerSpec, inputs);
    if ('error' in inferred) {
      node.c.add(inferred.field, inferred.error, inferred.inbound);
      continue;
    }
    shapes.set(index, inferred.shape);
    layers.push({
      index,
      name: node.name as string,
      className: KERAS_CLASS_NAMES[type],
      type,
      inbound: node.inboundNames,
      outputShape: inferred.shape,
      params: inferred.params,
      trainableParams: inferred.trainable,
    });
  }
}

/** One output: every layer must lead to it; without a named output, more than one end is an error. */
function checkConnections(nodes: Node[], byName: Map<string, number>, outputIndex: number, named: boolean, issues: ArchitectureIssue[]): void {
  // Consumers by name too, so a layer whose inbound list has a problem of its own does not
  // also make the layers it names look dangling.
  const consumers = new Set<number>();
  for (const node of nodes) {
    for (const i of node.inputs ?? []) consumers.add(i);
    for (const name of node.inboundNames) {
      const i = byName.get(name);
      if (i !== undefined) consumers.add(i);
    }
  }
  const ancestors = ancestorsOf(nodes, outputIndex);
  const others = nodes.filter((n) => n.type !== null && n.inputs !== null && !consumers.has(n.index) && n.index !== outputIndex && !ancestors.has(n.index));
  if (others.length === 0) return;
  const outName = (nodes[outputIndex] as Node).name ?? `layer ${outputIndex + 1}`;
  if (!named) {
    issues.push({
      layer: null,
      field: 'output',
      message: `the graph has ${others.length + 1} outputs (${[...others.map((n) => n.name), outName].join(', ')}) but a model has one: join them with an add or concatenate layer, or remove the extra ones`,
    });
  }
  for (const node of others) {
    node.c.add('output', `its output goes nowhere (the model's output is ${outName}); connect it to a later layer or remove it`);
    issues.push(node.c.issues[node.c.issues.length - 1] as ArchitectureIssue);
  }
}

function ancestorsOf(nodes: Node[], index: number): Set<number> {
  const seen = new Set<number>();
  const stack = [index];
  while (stack.length) {
    const i = stack.pop() as number;
    if (i === INPUT || seen.has(i)) continue;
    seen.add(i);
    stack.push(...((nodes[i] as Node).inputs ?? []));
  }
  return seen;
}

/**
 * Keras 2's `model.layers` order for a functional model (network.py _init_graph_network): a
 * depth-first walk from the output numbers the layers in the order first met; each layer's depth
 * is its longest distance to the output; layers are listed deepest first, ties by that number.
 */
function kerasLayerOrder(nodes: Node[], outputIndex: number): number[] {
  const firstMet = new Map<number, number>();
  const postorder: number[] = [];
  const finished = new Set<number>();
  const visit = (i: number): void => {
    if (finished.has(i)) return;
    if (!firstMet.has(i)) firstMet.set(i, firstMet.size);
    if (i !== INPUT) for (const j of (nodes[i] as Node).inputs as number[]) visit(j);
    finished.add(i);
    postorder.push(i);
  };
  visit(outputIndex);
  const depth = new Map<number, number>();
  for (const i of [...postorder].reverse()) {
    const d = depth.get(i) ?? 0;
    depth.set(i, d);
    if (i === INPUT) continue;
    for (const j of (nodes[i] as Node).inputs as number[]) depth.set(j, Math.max(d + 1, depth.get(j) ?? 0));
  }
  return postorder
    .filter((i) => i !== INPUT)
    .sort((a, b) => (depth.get(b) as number) - (depth.get(a) as number) || (firstMet.get(a) as number) - (firstMet.get(b) as number));
}

/** The analysis of one layer by its spec position, if its shape could be inferred. */
export function layerInfoAt(analysis: ArchitectureAnalysis, index: number): LayerInfo | undefined {
  return analysis.layers.find((l) => l.index === index);
}

/** The analysis of a spec that must be valid; throws with every message otherwise. */
export function assertValidArchitecture(spec: unknown): { architecture: Architecture; analysis: ArchitectureAnalysis } {
  const analysis = analyzeArchitecture(spec);
  if (!analysis.ok) throw new ArchitectureError(analysis.issues);
  return { architecture: spec as Architecture, analysis };
}

export class ArchitectureError extends Error {
  constructor(readonly issues: ArchitectureIssue[]) {
    super(issues.map((i) => i.message).join('; '));
    this.name = 'ArchitectureError';
  }
}
