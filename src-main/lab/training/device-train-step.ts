// The train step for an asynchronous backend (webgpu): everything stays on the device, and the step hands back one
// small tensor [loss, correct] for the loop to read with a single await. The synchronous steps (train-step.ts) read
// the logits with dataSync, which tfjs-backend-webgpu cannot do outside a browser (it reads back through a canvas).
// The loss is Keras' categorical crossentropy on the softmax output, clipped to [ε, 1−ε], differentiated by tfjs: the
// same function the synchronous steps compute from logits, so both agree within float rounding.
import * as tf from '@tensorflow/tfjs';

import { categoricalCrossentropyFromProbs, countCorrect, type TrainInput, type TrainStepResult } from './train-step.ts';

/** One optimisation step; returns [loss, correct] on the device (a tensor the caller's tidy keeps and the loop reads). */
export type DeviceTrainStep = (x: TrainInput, yOneHot: tf.Tensor2D) => tf.Tensor1D;

export function createDeviceTrainStep(model: tf.LayersModel, optimizer: tf.Optimizer): DeviceTrainStep {
  return (x, yOneHot) => {
    const varList = model.trainableWeights.map((w) => w.read() as tf.Variable);
    let correct: tf.Scalar | null = null;
    const loss = optimizer.minimize(
      () => {
        const probs = model.apply(x, { training: true }) as tf.Tensor;
        correct = tf.keep(countCorrect(probs, yOneHot));
        return categoricalCrossentropyFromProbs(probs, yOneHot);
      },
      true,
      varList,
    );
    if (loss == null || correct == null) throw new Error('train step produced no loss');
    const counted: tf.Scalar = correct;
    const result = tf.stack([loss, counted]) as tf.Tensor1D;
    counted.dispose(); // kept out of minimize's scope above, so nobody else frees it
    return result;
  };
}

export function isDeviceStepResult(result: TrainStepResult | tf.Tensor): result is tf.Tensor {
  return result instanceof tf.Tensor;
}

/** The one read-back per batch: waits for the device, then frees the result. */
export async function readDeviceStepResult(result: tf.Tensor): Promise<TrainStepResult> {
  try {
    const [loss, correct] = await result.data();
    return { loss: loss ?? NaN, correct: correct ?? NaN };
  } finally {
    result.dispose();
  }
}
