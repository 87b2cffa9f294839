// The seeded, per-class hold-out an importer uses when the data comes without a test set:
// every class keeps the same share in train and test, and one seed gives one split.
import { SeededRandom } from '../../util/seeded-random.ts';
import { DatasetError } from '../idx.ts';

/** For each example (by its label), whether it goes to the test set. */
export function testMask(labels: ArrayLike<number>, classCount: number, fraction: number, seed: number): Uint8Array {
  const byClass: number[][] = Array.from({ length: classCount }, () => []);
  for (let i = 0; i < labels.length; i++) byClass[labels[i] as number]?.push(i);
  const rng = new SeededRandom(seed);
  const mask = new Uint8Array(labels.length);
  let tested = 0;
  for (const members of byClass) {
    // Round, but leave every class at least one training example.
    const take = Math.min(Math.round(members.length * fraction), members.length - 1);
    const chosen = rng.choice(members.length, Math.max(0, take));
    for (const c of chosen) mask[members[c] as number] = 1;
    tested += Math.max(0, take);
  }
  if (tested === 0) throw new DatasetError(`a test fraction of ${fraction} holds out no image (${labels.length} in all); give a larger fraction or a test set`);
  return mask;
}

/** The examples with mask value `keep`, in order. */
export function selectByMask(images: Uint8Array, labels: Uint8Array, pixels: number, mask: Uint8Array, keep: 0 | 1): { images: Uint8Array; labels: Uint8Array } {
  let count = 0;
  for (const m of mask) if (m === keep) count++;
  const outImages = new Uint8Array(count * pixels);
  const outLabels = new Uint8Array(count);
  let j = 0;
  for (let i = 0; i < mask.length; i++) {
    if (mask[i] !== keep) continue;
    outImages.set(images.subarray(i * pixels, (i + 1) * pixels), j * pixels);
    outLabels[j] = labels[i] as number;
    j++;
  }
  return { images: outImages, labels: outLabels };
}
