// Checkpoint format: a magic, a JSON header (names, shapes) and the values, in one byte array that SQLite
// stores as a BLOB and process messages carry without base64. 'LLW1': float32 values (every checkpoint of
// earlier versions, and final/best ones now); 'LLW2': float16 values (per-epoch checkpoints: half the bytes).
import { floatsToHalves, halvesToFloats } from './float16.ts';
import type { LayersModel, Tf } from './tf-types.ts';

export type WeightPrecision = 'float32' | 'float16';
const MAGIC: Record<WeightPrecision, string> = { float32: 'LLW1', float16: 'LLW2' };
const BYTES: Record<WeightPrecision, number> = { float32: 4, float16: 2 };

interface Header {
  weights: { name: string; shape: number[] }[];
}

/** Bytes of a checkpoint's values (the header adds a few hundred) for this many parameters. */
export function checkpointValueBytes(params: number, precision: WeightPrecision): number {
  return params * BYTES[precision];
}

export function encodeWeights(model: LayersModel, precision: WeightPrecision = 'float32'): Uint8Array {
  const weights = model.getWeights();
  return encodeValues(weightNames(model), weights.map((w) => w.shape), weights.map((w) => w.dataSync() as Float32Array), precision);
}

/** encodeWeights for every backend, asynchronous ones (webgpu) included. */
export async function encodeWeightsAsync(model: LayersModel, precision: WeightPrecision = 'float32'): Promise<Uint8Array> {
  const weights = model.getWeights();
  return encodeValues(weightNames(model), weights.map((w) => w.shape), await Promise.all(weights.map(async (w) => (await w.data()) as Float32Array)), precision);
}

/** Each weight as "layer/param" (dense_1/kernel, skip_conv/bias): how a checkpoint names it. */
function weightNames(model: LayersModel): string[] {
  return model.weights.map((w) => w.originalName);
}

/** A checkpoint of named arrays (the model's own order is what encodeWeights writes). */
export function encodeValues(names: readonly string[], shapes: number[][], values: Float32Array[], precision: WeightPrecision = 'float32'): Uint8Array {
  const header: Header = { weights: names.map((name, i) => ({ name, shape: shapes[i] ?? [] })) };
  const headerBytes = new TextEncoder().encode(JSON.stringify(header));
  const count = values.reduce((s, v) => s + v.length, 0);
  // Values start on a 4-byte boundary so they can be viewed without copying.
  const headerEnd = 8 + headerBytes.length;
  const dataStart = Math.ceil(headerEnd / 4) * 4;
  const out = new Uint8Array(dataStart + checkpointValueBytes(count, precision));
  out.set(new TextEncoder().encode(MAGIC[precision]), 0);
  new DataView(out.buffer).setUint32(4, headerBytes.length, true);
  out.set(headerBytes, 8);
  let offset = 0;
  for (const v of values) {
    if (precision === 'float32') new Float32Array(out.buffer, dataStart + offset * 4, v.length).set(v);
    else floatsToHalves(v, new Uint16Array(out.buffer, dataStart + offset * 2, v.length));
    offset += v.length;
  }
  return out;
}

export interface DecodedWeights {
  names: string[];
  shapes: number[][];
  values: Float32Array[];
}

export function decodeWeights(bytes: Uint8Array): DecodedWeights {
  const magic = bytes.length < 8 ? '' : new TextDecoder().decode(bytes.subarray(0, 4));
  const precision = magic === MAGIC.float32 ? 'float32' : magic === MAGIC.float16 ? 'float16' : null;
  if (precision === null) throw new Error('not a Layerlab checkpoint (bad magic)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getUint32(4, true);
  if (8 + headerLength > bytes.length) throw new Error('checkpoint header is truncated');
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength))) as Header;
  const dataStart = Math.ceil((8 + headerLength) / 4) * 4;
  // Copy into an aligned buffer: a BLOB from SQLite may sit at any offset.
  const raw = bytes.slice(dataStart).buffer;
  const data = precision === 'float32' ? new Float32Array(raw) : halvesToFloats(new Uint16Array(raw, 0, Math.floor(raw.byteLength / 2)));
  const values: Float32Array[] = [];
  let offset = 0;
  for (const w of header.weights) {
    const size = w.shape.reduce((a, b) => a * b, 1);
    if (offset + size > data.length) throw new Error('checkpoint data is truncated');
    values.push(data.subarray(offset, offset + size));
    offset += size;
  }
  return { names: header.weights.map((w) => w.name), shapes: header.weights.map((w) => w.shape), values };
}

/**
 * Loads a checkpoint into a model built from the same architecture: by weight name when the
 * checkpoint names exactly the model's weights (so a graph's weights land on their layers whatever
 * order they were written in), else by position (checkpoints whose names differ, e.g. written
 * under other automatic names), each array's size checked either way.
 */
export function loadWeightsInto(tf: Tf, model: LayersModel, bytes: Uint8Array): void {
  const decoded = decodeWeights(bytes);
  const expected = model.weights;
  if (expected.length !== decoded.values.length) {
    throw new Error(`checkpoint has ${decoded.values.length} weight arrays, the model needs ${expected.length}`);
  }
  const position = new Map(decoded.names.map((name, i) => [name, i]));
  const byName = position.size === decoded.names.length && expected.every((w) => position.has(w.originalName));
  const tensors = expected.map((weight, i) => {
    const source = byName ? (position.get(weight.originalName) as number) : i;
    const v = decoded.values[source] as Float32Array;
    const shape = weight.shape;
    const want = shape.reduce((a: number, b) => a * (b ?? 1), 1);
    if (v.length !== want) throw new Error(`checkpoint weight ${decoded.names[source]} has ${v.length} values, the model's ${weight.originalName} needs ${want}`);
    return tf.tensor(v, shape as number[]);
  });
  model.setWeights(tensors);
  tf.dispose(tensors);
}
