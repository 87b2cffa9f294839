// The projector off the serving thread: a projection in a worker thread gives exactly the
// in-process result (same code, same seed), and while it runs the serving event loop keeps
// answering — the ping count is compared against the same projection run in-process without
// turns, which answers none, so the test measures what it claims without a timing threshold.
import { describe, expect, it } from 'vitest';
import { pca2d, umap2d, type Points } from '../../../src-main/lab/inside/projection.ts';
import { projectInWorker } from '../../../src-main/lab/inside/projection-runner.ts';
import { SeededRandom } from '../../../src-main/lab/util/seeded-random.ts';

function randomPoints(rows: number, dims: number, seed: number): Points {
  const rng = new SeededRandom(seed);
  const data = new Float32Array(rows * dims);
  for (let i = 0; i < data.length; i++) data[i] = rng.next() + (Math.floor(i / dims) % 4) * 0.5;
  return { data, rows, dims };
}

/** Counts event-loop turns (setImmediate round trips) until `work` settles. */
async function pingsDuring<T>(work: () => Promise<T>): Promise<{ result: T; pings: number }> {
  let pings = 0;
  let done = false;
  const ping = (): void => {
    if (done) return;
    pings++;
    setImmediate(ping);
  };
  setImmediate(ping);
  const result = await work();
  done = true;
  return { result, pings };
}

describe('projectInWorker', () => {
  it('gives the in-process result exactly, UMAP and PCA', async () => {
    const points = randomPoints(150, 16, 3);
    const before = points.data.slice();
    expect(await projectInWorker('umap', points, 5)).toEqual(await umap2d(points, 5));
    expect(await projectInWorker('pca', points, 5)).toEqual(pca2d(points, 5));
    // The caller's activations are not moved away with the job.
    expect(points.data).toEqual(before);
  }, 60_000);

  it('leaves the serving event loop answering while it projects', async () => {
    const points = randomPoints(300, 32, 4);
    const inWorker = await pingsDuring(() => projectInWorker('umap', points, 2));
    // The control: the same projection on this thread, never giving the loop a turn.
    const inProcess = await pingsDuring(() => umap2d(points, 2, () => Promise.resolve()));
    expect(inProcess.pings).toBe(0);
    expect(inWorker.pings).toBeGreaterThan(50);
    expect(inWorker.result).toEqual(inProcess.result);
  }, 60_000);

  it('reports a projection that fails in the worker', async () => {
    const broken: Points = { data: new Float32Array(4), rows: 2, dims: 2 };
    await expect(projectInWorker('umap', broken, 1)).rejects.toThrow(/the umap projection failed: /);
  }, 60_000);
});
