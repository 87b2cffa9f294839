// Seeded random training batches for the step tests: inputs uniform in [−1, 1), one-hot labels.
export interface RandomBatch {
  x: Float32Array;
  y: Float32Array;
}

export function randomBatches(n: number, rows: number, inputs: number, classes: number, seed: number): RandomBatch[] {
  let s = seed;
  const r = () => ((s = (s * 16807) % 2147483647) / 2147483647);
  return Array.from({ length: n }, () => {
    const x = new Float32Array(rows * inputs).map(() => r() * 2 - 1);
    const y = new Float32Array(rows * classes);
    for (let i = 0; i < rows; i++) y[i * classes + Math.floor(r() * classes)] = 1;
    return { x, y };
  });
}
