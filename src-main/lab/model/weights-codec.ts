// Checkpoint format: a JSON header (names, shapes) and the float32 values, in one byte array
// that SQLite stores as a BLOB and process messages carry without base64.
import type { LayersModel, Tf } from './tf-types.ts';

const MAGIC = 'LLW1';

interface Header {
  weights: { name: string; shape: number[] }[];
}

export function encodeWeights(model: LayersModel): Uint8Array {
  const weights = model.getWeights();
  return encodeValues(model, weights.map((w) => w.shape), weights.map((w) => w.dataSync() as Float32Array));
}

/** encodeWeights for every backend, asynchronous ones (webgpu) included. */
export async function encodeWeightsAsync(model: LayersModel): Promise<Uint8Array> {
  const weights = model.getWeights();
  return encodeValues(model, weights.map((w) => w.shape), await Promise.all(weights.map(async (w) => (await w.data()) as Float32Array)));
}

function encodeValues(model: LayersModel, shapes: number[][], values: Float32Array[]): Uint8Array {
  const header: Header = { weights: model.weights.map((w, i) => ({ name: w.originalName, shape: shapes[i] ?? [] })) };
  const headerBytes = new TextEncoder().encode(JSON.stringify(header));
  const floatCount = values.reduce((s, v) => s + v.length, 0);
  // Float data starts on a 4-byte boundary so it can be viewed without copying.
  const headerEnd = 8 + headerBytes.length;
  const dataStart = Math.ceil(headerEnd / 4) * 4;
  const out = new Uint8Array(dataStart + floatCount * 4);
  out.set(new TextEncoder().encode(MAGIC), 0);
  new DataView(out.buffer).setUint32(4, headerBytes.length, true);
  out.set(headerBytes, 8);
  const floats = new Float32Array(out.buffer, dataStart, floatCount);
  let offset = 0;
  for (const v of values) {
    floats.set(v, offset);
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
  if (bytes.length < 8 || new TextDecoder().decode(bytes.subarray(0, 4)) !== MAGIC) {
    throw new Error('not a Layerlab checkpoint (bad magic)');
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getUint32(4, true);
  if (8 + headerLength > bytes.length) throw new Error('checkpoint header is truncated');
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength))) as Header;
  const dataStart = Math.ceil((8 + headerLength) / 4) * 4;
  // Copy into an aligned buffer: a BLOB from SQLite may sit at any offset.
  const data = new Float32Array(bytes.slice(dataStart).buffer);
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

/** Loads a checkpoint into a model built from the same architecture. */
export function loadWeightsInto(tf: Tf, model: LayersModel, bytes: Uint8Array): void {
  const decoded = decodeWeights(bytes);
  const expected = model.weights;
  if (expected.length !== decoded.values.length) {
    throw new Error(`checkpoint has ${decoded.values.length} weight arrays, the model needs ${expected.length}`);
  }
  const tensors = decoded.values.map((v, i) => {
    const shape = expected[i]?.shape ?? [];
    const want = shape.reduce((a: number, b) => a * (b ?? 1), 1);
    if (v.length !== want) throw new Error(`checkpoint weight ${decoded.names[i]} has ${v.length} values, the model needs ${want}`);
    return tf.tensor(v, shape as number[]);
  });
  model.setWeights(tensors);
  tf.dispose(tensors);
}
