// 2-D projections of high-dimensional activations for the embedding projector. Both are
// deterministic under a seed: PCA by power iteration from a seeded start (signs fixed), UMAP by
// umap-js with the seeded generator. The serving process runs them in a worker thread
// (projection-runner.ts); `pause` is the turn an in-process caller gives its event loop between slices.
import { UMAP } from 'umap-js';
import { SeededRandom } from '../util/seeded-random.ts';

const PCA_ITERATIONS = 300;
const PCA_TOLERANCE = 1e-10;
const UMAP_NEIGHBORS = 15;
const UMAP_EPOCHS_PER_YIELD = 10;
/** Work between two turns of the event loop while finding neighbours. */
const KNN_SLICE_MS = 8;

/** rows × dims, row-major. */
export interface Points {
  data: Float32Array;
  rows: number;
  dims: number;
}

/** The first two principal components' coordinates, as [x, y] per row. */
export function pca2d({ data, rows, dims }: Points, seed: number): [number, number][] {
  // Centre the columns (in float64, so the sums stay exact enough for 2000 rows).
  const centred = new Float64Array(rows * dims);
  for (let d = 0; d < dims; d++) {
    let mean = 0;
    for (let r = 0; r < rows; r++) mean += data[r * dims + d] as number;
    mean /= rows || 1;
    for (let r = 0; r < rows; r++) centred[r * dims + d] = (data[r * dims + d] as number) - mean;
  }
  const rng = new SeededRandom(seed);
  const components: Float64Array[] = [];
  for (let k = 0; k < 2; k++) {
    let v = new Float64Array(dims).map(() => rng.next() - 0.5);
    normalise(v);
    for (let it = 0; it < PCA_ITERATIONS; it++) {
      // v <- Xᵀ X v, without forming the dims × dims covariance (dims may be in the thousands).
      const xv = new Float64Array(rows);
      for (let r = 0; r < rows; r++) {
        let s = 0;
        for (let d = 0; d < dims; d++) s += (centred[r * dims + d] as number) * (v[d] as number);
        xv[r] = s;
      }
      const next = new Float64Array(dims);
      for (let r = 0; r < rows; r++) {
        const s = xv[r] as number;
        if (s === 0) continue;
        for (let d = 0; d < dims; d++) next[d] = (next[d] as number) + (centred[r * dims + d] as number) * s;
      }
      // Deflation: stay orthogonal to the components already found.
      for (const c of components) subtractProjection(next, c);
      if (normalise(next) === 0) break;
      const change = v.reduce((s, x, d) => s + Math.abs(x - (next[d] as number)), 0);
      v = next;
      if (change < PCA_TOLERANCE) break;
    }
    // An eigenvector's sign is arbitrary: fix it so the largest entry is positive.
    let largest = 0;
    for (let d = 1; d < dims; d++) if (Math.abs(v[d] as number) > Math.abs(v[largest] as number)) largest = d;
    if ((v[largest] as number) < 0) v = v.map((x) => -x);
    components.push(v);
  }
  const out: [number, number][] = [];
  for (let r = 0; r < rows; r++) {
    const xy = components.map((c) => {
      let s = 0;
      for (let d = 0; d < dims; d++) s += (centred[r * dims + d] as number) * (c[d] as number);
      return s;
    });
    out.push([xy[0] ?? 0, xy[1] ?? 0]);
  }
  return out;
}

function normalise(v: Float64Array): number {
  const norm = Math.sqrt(v.reduce((s, x) => s + x * x, 0));
  if (norm > 0) for (let i = 0; i < v.length; i++) v[i] = (v[i] as number) / norm;
  return norm;
}

function subtractProjection(v: Float64Array, unit: Float64Array): void {
  const dot = v.reduce((s, x, i) => s + x * (unit[i] as number), 0);
  for (let i = 0; i < v.length; i++) v[i] = (v[i] as number) - dot * (unit[i] as number);
}

/**
 * Exact k nearest neighbours (Euclidean, each row its own first neighbour, as UMAP expects),
 * computed in slices with `pause` between them. umap-js's own search (random-projection trees +
 * NN-descent) runs in one synchronous call: 16 s for 2,000 × 512 on a busy machine, during which
 * the serving process would answer no drawing.
 */
export async function exactKnn({ data, rows, dims }: Points, k: number, pause: () => Promise<void>): Promise<{ indices: number[][]; distances: number[][] }> {
  const indices: number[][] = [];
  const distances: number[][] = [];
  const dist = new Float64Array(rows);
  const order = Array.from({ length: rows }, (_, j) => j);
  let sliceStarted = performance.now();
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < rows; j++) {
      let s = 0;
      for (let d = 0; d < dims; d++) {
        const diff = (data[i * dims + d] as number) - (data[j * dims + d] as number);
        s += diff * diff;
      }
      dist[j] = Math.sqrt(s);
    }
    // The row itself first even when a duplicate sits at distance 0 too; ties by index.
    order.sort((a, b) => (a === i ? -1 : b === i ? 1 : (dist[a] as number) - (dist[b] as number) || a - b));
    const nearest = order.slice(0, k);
    indices.push(nearest);
    distances.push(nearest.map((j) => dist[j] as number));
    if (performance.now() - sliceStarted > KNN_SLICE_MS) {
      await pause();
      sliceStarted = performance.now();
    }
  }
  return { indices, distances };
}

/** UMAP to 2-D with umap-js, seeded; `pause` is awaited between slices of work (the event loop's turn). */
export async function umap2d(points: Points, seed: number, pause: () => Promise<void> = () => new Promise((r) => setImmediate(r))): Promise<[number, number][]> {
  const { data, rows, dims } = points;
  const rng = new SeededRandom(seed);
  const neighbours = Math.max(2, Math.min(UMAP_NEIGHBORS, rows - 1));
  const umap = new UMAP({ nComponents: 2, nNeighbors: neighbours, minDist: 0.1, random: () => rng.next() });
  const vectors: number[][] = [];
  for (let r = 0; r < rows; r++) vectors.push(Array.from(data.subarray(r * dims, (r + 1) * dims)));
  const knn = await exactKnn(points, neighbours, pause);
  umap.setPrecomputedKNN(knn.indices, knn.distances);
  const epochs = umap.initializeFit(vectors);
  await pause();
  for (let e = 0; e < epochs; e++) {
    umap.step();
    if (e % UMAP_EPOCHS_PER_YIELD === UMAP_EPOCHS_PER_YIELD - 1) await pause();
  }
  return umap.getEmbedding().map((p) => [p[0] ?? 0, p[1] ?? 0]);
}
