// The projector's 2-D layouts: PCA recovers the main axes and both methods repeat under a seed.
import { describe, expect, it } from 'vitest';
import { exactKnn, pca2d, umap2d, type Points } from '../../../src-main/lab/inside/projection.ts';
import { SeededRandom } from '../../../src-main/lab/util/seeded-random.ts';

/** Three clusters in 12 dimensions, most spread along dimension 0, then dimension 1. */
function clusters(rows: number, seed: number): Points {
  const rng = new SeededRandom(seed);
  const dims = 12;
  const data = new Float32Array(rows * dims);
  for (let r = 0; r < rows; r++) {
    const c = r % 3;
    for (let d = 0; d < dims; d++) data[r * dims + d] = (rng.next() - 0.5) * 0.1;
    data[r * dims] = (data[r * dims] ?? 0) + [-10, 0, 10][c]!;
    data[r * dims + 1] = (data[r * dims + 1] ?? 0) + [0, 3, 0][c]!;
  }
  return { data, rows, dims };
}

describe('pca2d', () => {
  it('projects on the directions of largest variance (x along dimension 0, y along dimension 1)', () => {
    const points = clusters(90, 1);
    const xy = pca2d(points, 7);
    const xs = xy.map((p) => p[0]);
    // x is dimension 0 centred (sign fixed so the largest loading is positive).
    xy.forEach(([x], r) => expect(Math.abs(x - ((points.data[r * 12] ?? 0) - 0))).toBeLessThan(0.5));
    expect(Math.max(...xs) - Math.min(...xs)).toBeGreaterThan(19);
    const ys = xy.map((p) => p[1]);
    expect(Math.max(...ys) - Math.min(...ys)).toBeGreaterThan(2.5);
  });

  it('is deterministic under a seed and does not depend on it beyond rounding', () => {
    const points = clusters(60, 2);
    expect(pca2d(points, 3)).toEqual(pca2d(points, 3));
    const a = pca2d(points, 3);
    const b = pca2d(points, 99);
    a.forEach(([x, y], i) => {
      expect(x).toBeCloseTo(b[i]![0], 4);
      expect(y).toBeCloseTo(b[i]![1], 4);
    });
  });
});

describe('umap2d', () => {
  it('the same seed gives the same layout, another seed another one; clusters stay apart', async () => {
    const points = clusters(60, 3);
    const a = await umap2d(points, 5);
    const b = await umap2d(points, 5);
    const c = await umap2d(points, 6);
    expect(a).toEqual(b);
    expect(c).not.toEqual(a);
    // Each cluster's centre is farther from the others than its points are from it.
    const centre = (k: number) => {
      const mine = a.filter((_, i) => i % 3 === k);
      return [mine.reduce((s, p) => s + p[0], 0) / mine.length, mine.reduce((s, p) => s + p[1], 0) / mine.length] as const;
    };
    const centres = [0, 1, 2].map(centre);
    const spread = Math.max(...a.map((p, i) => Math.hypot(p[0] - centres[i % 3]![0], p[1] - centres[i % 3]![1])));
    const gap = Math.min(Math.hypot(centres[0]![0] - centres[1]![0], centres[0]![1] - centres[1]![1]), Math.hypot(centres[1]![0] - centres[2]![0], centres[1]![1] - centres[2]![1]));
    expect(gap).toBeGreaterThan(spread);
  });

  it('yields to the event loop while it optimises', async () => {
    let pauses = 0;
    await umap2d(clusters(40, 4), 1, async () => {
      pauses++;
    });
    expect(pauses).toBeGreaterThan(5);
  });
});

describe('exactKnn', () => {
  it('finds each row’s k nearest, itself first, ties by index', async () => {
    const points: Points = { data: Float32Array.from([0, 0, 1, 0, 0, 2, 5, 5, 0, 0]), rows: 5, dims: 2 };
    const { indices, distances } = await exactKnn(points, 3, async () => {});
    expect(indices[0]).toEqual([0, 4, 1]);
    expect(distances[0]).toEqual([0, 0, 1]);
    expect(indices[4]).toEqual([4, 0, 1]);
    expect(indices[3]![0]).toBe(3);
    expect(indices[2]).toEqual([2, 0, 4]);
    expect(distances[2]).toEqual([0, 2, 2]);
  });
});
