// A layer's weights as pictures: a dense layer fed straight by the image shows each hidden unit's
// incoming weights as an image of the input (what that unit looks for); a conv layer shows each
// filter (per input channel) as a small tile. Sorted by L2 norm, largest first; values travel as
// signed bytes against the layer's largest |weight|, which is all a colour map can show anyway.
import { analyzeArchitecture, imageGridOf, INPUT_REF, isFunctionalSpec, type Architecture, type WeightTile, type WeightTiles } from '../../../src-shared/index.ts';
import type { LayersModel } from '../model/tf-types.ts';
import { layersBySpec } from '../model/graph/spec-layers.ts';

/** Layers that only reshape or pass values on (a dense unit behind them still sees the raw pixels). */
const PASS_THROUGH = new Set(['flatten', 'dropout']);

/** Whether the layer's input is the image itself, reached through flatten/dropout layers only (following a graph's inbound links). */
function fedByInputThroughPassThrough(architecture: Architecture, layerIndex: number): boolean {
  if (!isFunctionalSpec(architecture)) return architecture.layers.slice(0, layerIndex).every((l) => PASS_THROUGH.has(l.type));
  const analysis = analyzeArchitecture(architecture);
  let current = analysis.layers.find((l) => l.index === layerIndex);
  for (let hops = 0; current && hops <= architecture.layers.length; hops++) {
    const [source, ...more] = current.inbound;
    if (source === INPUT_REF && more.length === 0) return true;
    current = more.length === 0 ? analysis.layers.find((l) => l.name === source) : undefined;
    if (!current || !PASS_THROUGH.has(current.type)) return false;
  }
  return false;
}

interface RawTile {
  unit: number;
  inputChannel: number;
  norm: number;
  values: Float32Array;
}

function encodeTile(tile: RawTile, scale: number): WeightTile {
  const bytes = new Int8Array(tile.values.length);
  for (let i = 0; i < bytes.length; i++) bytes[i] = scale > 0 ? Math.round(((tile.values[i] as number) / scale) * 127) : 0;
  return { unit: tile.unit, inputChannel: tile.inputChannel, norm: tile.norm, values: Buffer.from(bytes.buffer).toString('base64') };
}

function normOf(values: Float32Array): number {
  let s = 0;
  for (const v of values) s += v * v;
  return Math.sqrt(s);
}

function maxAbs(values: Float32Array): number {
  let m = 0;
  for (const v of values) if (Math.abs(v) > m) m = Math.abs(v);
  return m;
}

/** Dense units over the raw image: kernel [pixels, units], column u reshaped to the image grid. */
function denseUnitTiles(kernel: Float32Array, pixels: number, units: number): RawTile[] {
  const tiles: RawTile[] = [];
  for (let u = 0; u < units; u++) {
    const values = new Float32Array(pixels);
    for (let p = 0; p < pixels; p++) values[p] = kernel[p * units + u] as number;
    tiles.push({ unit: u, inputChannel: 0, norm: normOf(values), values });
  }
  return tiles;
}

/** Conv filters: kernel [kh, kw, in, out], one tile per (filter, input channel). */
function convFilterTiles(kernel: Float32Array, [kh, kw, inC, outC]: number[]): RawTile[] {
  const tiles: RawTile[] = [];
  for (let o = 0; o < (outC ?? 0); o++) {
    for (let c = 0; c < (inC ?? 0); c++) {
      const values = new Float32Array((kh ?? 0) * (kw ?? 0));
      for (let y = 0; y < (kh ?? 0); y++) for (let x = 0; x < (kw ?? 0); x++) values[y * (kw ?? 0) + x] = kernel[((y * (kw ?? 0) + x) * (inC ?? 0) + c) * (outC ?? 0) + o] as number;
      tiles.push({ unit: o, inputChannel: c, norm: normOf(values), values });
    }
  }
  return tiles;
}

export type TilesResult = { tiles: WeightTiles; note: null } | { tiles: null; note: string };

/** The layer's tiles from offset (limit of them), or why it has none. */
export function weightTilesOf(model: LayersModel, architecture: Architecture, layerIndex: number, offset: number, limit: number): TilesResult {
  const spec = architecture.layers[layerIndex];
  const kernelTensor = layersBySpec(model, architecture)[layerIndex]?.getWeights()[0];
  if (!spec || !kernelTensor || (spec.type !== 'dense' && spec.type !== 'conv2d')) {
    return { tiles: null, note: 'Only dense and conv layers have weights to show as images.' };
  }
  const kernel = kernelTensor.dataSync() as Float32Array;
  let kind: WeightTiles['kind'];
  let tileShape: [number, number];
  let raw: RawTile[];
  if (spec.type === 'conv2d') {
    const shape = kernelTensor.shape;
    kind = 'conv-filters';
    tileShape = [shape[0] ?? 1, shape[1] ?? 1];
    raw = convFilterTiles(kernel, shape);
  } else {
    const fedByImage = fedByInputThroughPassThrough(architecture, layerIndex);
    const inputShape = architecture.inputShape;
    const channels = inputShape.length === 3 ? (inputShape[2] ?? 1) : 1;
    if (!fedByImage || channels !== 1) {
      return { tiles: null, note: 'This dense layer is fed by another layer (or a multi-channel image), so its units have no image layout; see its histograms.' };
    }
    const pixels = kernelTensor.shape[0] ?? 0;
    kind = 'dense-units';
    tileShape = imageGridOf(inputShape);
    raw = denseUnitTiles(kernel, pixels, kernelTensor.shape[1] ?? 0);
  }
  raw.sort((a, b) => b.norm - a.norm || a.unit - b.unit || a.inputChannel - b.inputChannel);
  const scale = maxAbs(kernel);
  return { tiles: { kind, tileShape, scale, total: raw.length, offset, tiles: raw.slice(offset, offset + limit).map((t) => encodeTile(t, scale)) }, note: null };
}
