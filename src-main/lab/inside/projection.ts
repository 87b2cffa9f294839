// 2-D projections of high-dimensional activations for the embedding projector. Both are
// deterministic under a seed: PCA by power iteration from a seeded start (signs fixed), UMAP by
// umap-js with the seeded generator. UMAP's optimisation yields to the event loop between epochs
// so the serving process keeps answering Draw while it runs.
import { UMAP } from 'umap-js';
import { SeededRandom } from '../util/seeded-random.ts';

const PCA_ITERATIONS = 300;
const PCA_TOLERANCE = 1e-10;
const UMAP_NEIGHBORS = 15;
const UMAP_EPOCHS_PER_YIELD = 10;

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

/** UMAP to 2-D with umap-js, seeded; `pause` is awaited every few epochs (the event loop's turn). */
export async function umap2d({ data, rows, dims }: Points, seed: number, pause: () => Promise<void> = () => new Promise((r) => setImmediate(r))): Promise<[number, number][]> {
  const rng = new SeededRandom(seed);
  const umap = new UMAP({ nComponents: 2, nNeighbors: Math.max(2, Math.min(UMAP_NEIGHBORS, rows - 1)), minDist: 0.1, random: () => rng.next() });
  const vectors: number[][] = [];
  for (let r = 0; r < rows; r++) vectors.push(Array.from(data.subarray(r * dims, (r + 1) * dims)));
  const epochs = umap.initializeFit(vectors);
  await pause();
  for (let e = 0; e < epochs; e++) {
    umap.step();
    if (e % UMAP_EPOCHS_PER_YIELD === UMAP_EPOCHS_PER_YIELD - 1) await pause();
  }
  return umap.getEmbedding().map((p) => [p[0] ?? 0, p[1] ?? 0]);
}
