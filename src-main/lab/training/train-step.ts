// One optimisation step: forward in training mode, Keras's categorical crossentropy, backward,
// update. Returns the batch loss and the number of correct predictions as scalars so the loop
// reads both with one sync.
import type { LayersModel, Optimizer, Scalar, Tensor, Tf } from '../model/tf-types.ts';

export type TrainStep = (x: Tensor, yOneHot: Tensor, labels: Tensor) => { loss: Scalar; correct: Scalar };

const EPSILON = 1e-7;

export function createTrainStep(tf: Tf, model: LayersModel, optimizer: Optimizer): TrainStep {
  return (x, yOneHot, labels) => {
    let correct: Scalar | null = null;
    const loss = optimizer.minimize(() => {
      const probs = model.apply(x, { training: true }) as Tensor;
      correct = tf.keep(tf.sum(tf.cast(tf.equal(tf.argMax(probs, -1), labels), 'float32')));
      const clipped = tf.clipByValue(probs, EPSILON, 1 - EPSILON);
      return tf.neg(tf.mean(tf.sum(tf.mul(yOneHot, tf.log(clipped)), -1))) as Scalar;
    }, true);
    if (!loss || !correct) throw new Error('training step produced no loss');
    return { loss, correct };
  };
}
