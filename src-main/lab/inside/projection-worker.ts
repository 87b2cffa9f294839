// Entry point of a projection worker thread: one 2-D projection (PCA or UMAP) of the
// activations it is handed, then the coordinates back and exit. umap-js spends seconds in
// synchronous calls (its fuzzy graph, its optimisation epochs) and PCA's power iteration is one
// loop; here they run off the serving process's event loop, so Draw keeps its answers while the
// projector works. The computation is the in-process one (projection.ts), so the result is the same.
import { parentPort, workerData } from 'node:worker_threads';
import type { ProjectionMethod } from '../../../src-shared/index.ts';
import { pca2d, umap2d, type Points } from './projection.ts';

export interface ProjectionJob {
  method: ProjectionMethod;
  points: Points;
  seed: number;
}

/** x0, y0, x1, y1, … (one buffer that is moved, not copied, to the serving thread). */
export type ProjectionReply = { ok: true; xy: Float64Array } | { ok: false; message: string };

/** Nothing else shares this thread: no turn of the event loop to give between slices. */
const noPause = () => Promise.resolve();

async function project({ method, points, seed }: ProjectionJob): Promise<Float64Array> {
  const pairs = method === 'umap' ? await umap2d(points, seed, noPause) : pca2d(points, seed);
  const xy = new Float64Array(pairs.length * 2);
  pairs.forEach(([x, y], i) => {
    xy[2 * i] = x;
    xy[2 * i + 1] = y;
  });
  return xy;
}

const port = parentPort;
if (!port) throw new Error('projection-worker.ts runs as a worker thread (see projection-runner.ts)');
project(workerData as ProjectionJob).then(
  (xy) => port.postMessage({ ok: true, xy } satisfies ProjectionReply, [xy.buffer as ArrayBuffer]),
  (error: unknown) => port.postMessage({ ok: false, message: error instanceof Error ? error.message : String(error) } satisfies ProjectionReply),
);
