// The hidden-layer activations the written-out steps (dense-stack-step.ts, conv-net-step.ts) differentiate by hand:
// every activation of the architecture contract but softmax (which only ends a network). Forward as tfjs-layers
// computes it; backward as tfjs's tape differentiates it, from the pre-activation z (kept anyway: a step runs in one
// tidy) or from the output h where that is how tfjs does it (EluGrad reads y).
import * as tf from '@tensorflow/tfjs';
import { ACTIVATION_FORWARD, ACTIVATION_GRAD, simdActivationAvailable } from '../engine/wasm-kernels/activation-kernels.ts';

export type HiddenActivation = 'linear' | 'relu' | 'tanh' | 'sigmoid' | 'elu' | 'selu' | 'softplus' | 'softsign';
export const HIDDEN_ACTIVATIONS: readonly string[] = ['linear', 'relu', 'tanh', 'sigmoid', 'elu', 'selu', 'softplus', 'softsign'] satisfies HiddenActivation[];

export function isHiddenActivation(a: unknown): a is HiddenActivation {
  return typeof a === 'string' && HIDDEN_ACTIVATIONS.includes(a);
}

/** Activations a fused conv2d / matMul kernel applies in its output loop (tfjs's fused set); the rest run after. */
export function fusable(a: HiddenActivation): a is 'linear' | 'relu' | 'sigmoid' | 'elu' {
  return a === 'linear' || a === 'relu' || a === 'sigmoid' || a === 'elu';
}

// tfjs-core's SELU constants (selu_util.ts), as its gradient uses them.
const SELU_SCALE = 1.0507009873554804934193349852946;
const SELU_SCALE_ALPHA = 1.7580993408473768599402175208123;

/** h = f(z), the ops tfjs-layers' activation classes run (elu and selu in one kernel where the backend has it). */
export function activate(z: tf.Tensor, a: HiddenActivation): tf.Tensor {
  if (z.dtype === 'float32' && simdActivationAvailable(tf, a, z.size, false)) return tf.engine().runKernel(ACTIVATION_FORWARD, { x: z }, { activation: a }) as tf.Tensor;
  switch (a) {
    case 'relu':
      return tf.relu(z);
    case 'tanh':
      return tf.tanh(z);
    case 'sigmoid':
      return tf.sigmoid(z);
    case 'elu':
      return tf.elu(z);
    case 'selu':
      return tf.selu(z);
    case 'softplus':
      return tf.softplus(z);
    case 'softsign':
      return tf.div(z, tf.add(tf.abs(z), 1)); // tfjs-layers' softsign
    case 'linear':
      return z;
  }
}

/** dL/dz from dL/dh for h = f(z) (one kernel where the backend has it). */
export function throughActivation(dh: tf.Tensor, h: tf.Tensor, z: tf.Tensor, a: HiddenActivation): tf.Tensor {
  if (dh.dtype === 'float32' && simdActivationAvailable(tf, a, dh.size, true)) return tf.engine().runKernel(ACTIVATION_GRAD, { dy: dh, y: h, x: z }, { activation: a }) as tf.Tensor;
  switch (a) {
    case 'relu':
      return tf.mul(dh, tf.step(h)); // relu(z) > 0 exactly where z > 0
    case 'tanh':
      return tf.mul(dh, tf.sub(1, tf.square(h)));
    case 'sigmoid':
      return tf.mul(dh, tf.mul(h, tf.sub(1, h)));
    case 'elu':
      return tf.engine().runKernel('EluGrad', { dy: dh, y: h }) as tf.Tensor;
    case 'selu':
      return tf.where(tf.greater(z, 0), tf.mul(dh, SELU_SCALE), tf.mul(tf.mul(dh, SELU_SCALE_ALPHA), tf.exp(z)));
    case 'softplus':
      return tf.mul(dh, tf.sigmoid(z));
    case 'softsign': {
      const d = tf.add(tf.abs(z), 1);
      return tf.div(dh, tf.square(d)); // d/dz z/(|z|+1) = 1/(|z|+1)²
    }
    case 'linear':
      return dh;
  }
}
