// Keras' categorical crossentropy on a softmax, from logits, in plain JS: the arithmetic shared by both train steps.
export const KERAS_EPSILON = 1e-7;
const LOG_EPS = Math.log(KERAS_EPSILON);
const LOG_ONE_MINUS_EPS = Math.log1p(-KERAS_EPSILON);

/** The arithmetic of softmaxCrossEntropyFromLogits on row-major [rows, classes] data. The gradient is already /rows. */
export function softmaxCrossEntropyRows(z: ArrayLike<number>, y: ArrayLike<number>, rows: number, classes: number): { loss: number; grad: Float32Array; correct: number } {
  const grad = new Float32Array(rows * classes);
  let total = 0;
  let correct = 0;
  for (let r = 0; r < rows; r++) {
    const o = r * classes;
    let max = -Infinity;
    let best = 0;
    let label = 0;
    for (let j = 0; j < classes; j++) {
      const v = z[o + j] as number;
      if (v > max) {
        max = v;
        best = j;
      }
      if ((y[o + j] as number) > (y[o + label] as number)) label = j;
    }
    let sumExp = 0;
    for (let j = 0; j < classes; j++) sumExp += Math.exp((z[o + j] as number) - max);
    const logSum = Math.log(sumExp);
    // y⊙m, with m = 0 where the clip holds the log-probability constant; Σ y⊙m is the label mass left to move.
    const ymAt = (logp: number, j: number) => (logp >= LOG_EPS && logp <= LOG_ONE_MINUS_EPS ? (y[o + j] as number) : 0);
    let ym = 0;
    for (let j = 0; j < classes; j++) {
      const logp = (z[o + j] as number) - max - logSum;
      total -= (y[o + j] as number) * Math.min(Math.max(logp, LOG_EPS), LOG_ONE_MINUS_EPS);
      ym += ymAt(logp, j);
    }
    for (let j = 0; j < classes; j++) {
      const logp = (z[o + j] as number) - max - logSum;
      grad[o + j] = (Math.exp(logp) * ym - ymAt(logp, j)) / rows;
    }
    // argMax picks the first maximum, like tf.argMax.
    if (best === label) correct++;
  }
  return { loss: rows === 0 ? NaN : total / rows, grad, correct };
}
