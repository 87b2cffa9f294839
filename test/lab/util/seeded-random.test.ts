import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../../src-main/lab/util/seeded-random.ts';

describe('SeededRandom', () => {
  it('repeats for the same seed and differs for another', () => {
    const a = new SeededRandom(7);
    const b = new SeededRandom(7);
    const c = new SeededRandom(8);
    const xs = Array.from({ length: 5 }, () => a.next());
    expect(xs).toEqual(Array.from({ length: 5 }, () => b.next()));
    expect(xs).not.toEqual(Array.from({ length: 5 }, () => c.next()));
    for (const x of xs) expect(x >= 0 && x < 1).toBe(true);
  });

  it('choice draws distinct indices, a full permutation when count === n', () => {
    const rng = new SeededRandom(1);
    const some = rng.choice(100, 30);
    expect(new Set(some).size).toBe(30);
    const all = rng.choice(50, 50);
    expect([...all].sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(() => rng.choice(3, 4)).toThrow(/without replacement/);
  });
});
