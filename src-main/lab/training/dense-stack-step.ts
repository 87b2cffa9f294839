// A train step for plain MLPs — Dense layers (any hidden activation: activations.ts), optionally with Dropout layers between
// them, ending in a softmax Dense, on rank-2 input — with the backward pass written out instead of recorded on tfjs's
// tape. The seed model and the "Deeper MLP with dropout" preset are among these.
//
// Why: recording and replaying the tape costs ~60 kernel calls per step for a two-layer MLP (identities, reshapes,
// casts, broadcasting helpers), each with a fixed dispatch cost that rivals the arithmetic on a fast backend. Written
// out, a step is the forward products, bias adds and activations, the softmax crossentropy gradient (one JS pass),
// and per layer dW = hᵀ·dz, db = Σdz, dh = dz·Wᵀ times the activation's derivative — then the same
// optimizer.applyGradients that optimizer.minimize would call. Any other model takes the generic path
// (train-step.ts), and a test holds the two to the same updates.
import * as tf from '@tensorflow/tfjs';

import { graphPlan, isGraphModel } from '../model/graph/graph-forward.ts';
import { activate, isHiddenActivation, throughActivation, type HiddenActivation } from './activations.ts';
import { dropoutDraw, fillDropoutMultiplier } from './dropout-mask.ts';
import { DROPOUT_MULTIPLIER, dropoutKernelAvailable } from '../engine/wasm-kernels/dropout-kernel.ts';
import { softmaxCrossEntropyRows } from './softmax-crossentropy.ts';
import type { TrainStep } from './train-step.ts';

interface LayerVariableLike {
  read(): tf.Tensor;
}

/** A Dropout layer as tfjs-layers runs it in training: tf.dropout(x, rate, undefined, layer.seed). */
interface DropoutLike {
  rate: number;
  seed?: number;
}

export interface DenseLayer {
  kernel: LayerVariableLike;
  bias: LayerVariableLike | null;
  activation: HiddenActivation | 'softmax';
  /** Dropout layers applied, in order, to this layer's input (the layers between the previous Dense and this one). */
  inputDropouts: DropoutLike[];
}

/** Config keys that would change what a Dense layer computes or how it trains beyond kernel, bias and activation. */
const UNSUPPORTED_CONFIG = ['kernelRegularizer', 'biasRegularizer', 'activityRegularizer', 'kernelConstraint', 'biasConstraint'] as const;

/** The model's Dense layers when it is a plain softmax MLP on rank-2 input (dropout allowed between), else null. */
export function findDenseStack(model: tf.LayersModel): DenseLayer[] | null {
  if (model.inputs.length !== 1 || model.inputs[0]?.shape.length !== 2 || model.layers.length === 0) return null;
  const layers = chainLayers(model);
  return layers === null ? null : parseDenseStack(layers);
}

/**
 * `layers` as a dense stack — Dense and Dropout layers ending in a softmax Dense — or null. Also the head of a conv
 * net after its Flatten (conv-net-step.ts).
 */
export function parseDenseStack(layers: readonly tf.layers.Layer[]): DenseLayer[] | null {
  if (layers.length === 0) return null;
  const stack: DenseLayer[] = [];
  let pendingDropouts: DropoutLike[] = [];
  for (const [i, layer] of layers.entries()) {
    if (layer.getClassName() === 'Dropout') {
      const config = layer.getConfig() as { rate?: number; noiseShape?: unknown };
      if (config.noiseShape != null || typeof config.rate !== 'number' || !(config.rate >= 0 && config.rate < 1)) return null;
      // rate 0 is the identity in tfjs-layers (Dropout.call skips it): nothing to record.
      if (config.rate > 0) pendingDropouts.push(layer as unknown as DropoutLike);
      continue;
    }
    if (layer.getClassName() !== 'Dense') return null;
    const config = layer.getConfig() as Record<string, unknown>;
    if (UNSUPPORTED_CONFIG.some((key) => config[key] != null)) return null;
    const activation = config['activation'];
    const last = i === layers.length - 1;
    if (last ? activation !== 'softmax' : !isHiddenActivation(activation)) return null;
    const internals = layer as unknown as { kernel?: LayerVariableLike; bias?: LayerVariableLike | null; useBias?: boolean };
    if (internals.kernel == null) return null;
    stack.push({ kernel: internals.kernel, bias: internals.useBias === false ? null : (internals.bias ?? null), activation: activation as DenseLayer['activation'], inputDropouts: pendingDropouts });
    pendingDropouts = [];
  }
  // A trailing Dropout would follow the softmax: leave such a model to the tape step.
  return pendingDropouts.length === 0 ? stack : null;
}

/**
 * The model's layers as a chain: a Sequential's layers, or a functional graph's (without its
 * InputLayer) when each takes exactly the one before it — a chain drawn as a graph keeps the fast
 * path. Null for any other graph (branches, merges): those train on the tape step.
 */
export function chainLayers(model: tf.LayersModel): tf.layers.Layer[] | null {
  if (!isGraphModel(model)) return model.layers;
  const { inputName, steps } = graphPlan(model);
  let previous = inputName;
  for (const step of steps) {
    if (step.inputs.length !== 1 || step.inputs[0] !== previous) return null;
    previous = step.layer.name;
  }
  return steps.map((s) => s.layer);
}

/**
 * tf.dropout's multiplier, floor(U[0,1) + keep) / keep with the layer's current seed: the same values the tape path
 * draws (dropout-mask.ts makes them in one JS pass). The forward output is x·m and the gradient dy·m, exactly as the
 * tape differentiates tf.dropout.
 */
export function dropoutMultiplier(shape: number[], dropout: DropoutLike): tf.Tensor {
  if (dropoutKernelAvailable(tf)) {
    const { keep, scale, state } = dropoutDraw(dropout.rate, dropout.seed);
    return tf.engine().runKernel(DROPOUT_MULTIPLIER, {}, { shape, keep, scale, state }) as tf.Tensor;
  }
  const out = new Float32Array(shape.reduce((a, b) => a * b, 1));
  fillDropoutMultiplier(out, dropout.rate, dropout.seed);
  return tf.tensor(out, shape, 'float32');
}

/** What the forward pass keeps for the backward pass. */
export interface DenseForward {
  /** Each hidden layer's output before dropout (for its activation's derivative); [0] is the stack's input. */
  outputs: tf.Tensor2D[];
  /** The pre-activation of each of those outputs (some derivatives need it); [0] is the stack's input. */
  preActivations: tf.Tensor2D[];
  /** Each layer's input after its dropouts (for dW). */
  inputs: tf.Tensor2D[];
  /** The dropout multipliers on each layer's input. */
  multipliers: tf.Tensor[][];
  logits: tf.Tensor2D;
}

/** The stack's forward pass in training mode (dropout active), up to the softmax's logits. Call inside a tidy. */
export function denseStackForward(stack: readonly DenseLayer[], x: tf.Tensor2D): DenseForward {
  const outputs: tf.Tensor2D[] = [x];
  const preActivations: tf.Tensor2D[] = [x];
  const inputs: tf.Tensor2D[] = [];
  const multipliers: tf.Tensor[][] = [];
  const dropped = (layer: DenseLayer, h: tf.Tensor2D): tf.Tensor2D => {
    const ms = layer.inputDropouts.map((d) => dropoutMultiplier(h.shape, d));
    multipliers.push(ms);
    let out = h;
    for (const m of ms) out = tf.mul(out, m);
    inputs.push(out);
    return out;
  };
  const forward = (layer: DenseLayer, h: tf.Tensor2D): { z: tf.Tensor2D; h: tf.Tensor2D } => {
    const input = dropped(layer, h);
    // Unfused on purpose: a plain matMul reaches the fast wasm BatchMatMul, which picks the cheaper operand to
    // pack (the weights change every step); the fused kernel always packs the weights (~1 ms more per step on
    // the seed's first layer). Bias add and activation are cheap next to it.
    const product = tf.matMul(input, layer.kernel.read() as tf.Tensor2D) as tf.Tensor2D;
    const bias = layer.bias?.read();
    const z = bias ? tf.add<tf.Tensor2D>(product, bias) : product;
    // The softmax is the loss's business (softmax-crossentropy.ts): the last layer hands back its logits.
    return { z, h: layer.activation === 'softmax' ? z : (activate(z, layer.activation) as tf.Tensor2D) };
  };
  let h = x;
  for (const layer of stack.slice(0, -1)) {
    const out = forward(layer, h);
    h = out.h;
    outputs.push(h);
    preActivations.push(out.z);
  }
  const logits = forward(stack[stack.length - 1] as DenseLayer, h).z;
  return { outputs, preActivations, inputs, multipliers, logits };
}

/**
 * The stack's backward pass from dL/dlogits: adds each weight's gradient to `grads` (by variable name) and, when
 * `wantInputGrad`, returns dL/d(stack input) (through the first layer's dropouts), else null. Call inside a tidy.
 */
export function denseStackBackward(stack: readonly DenseLayer[], fwd: DenseForward, dLogits: tf.Tensor2D, grads: tf.NamedTensorMap, wantInputGrad: boolean): tf.Tensor2D | null {
  let dz: tf.Tensor = dLogits;
  for (let i = stack.length - 1; i >= 0; i--) {
    const layer = stack[i] as DenseLayer;
    const kernel = layer.kernel.read();
    grads[(kernel as tf.Variable).name] = tf.matMul(fwd.inputs[i] as tf.Tensor2D, dz, true, false);
    if (layer.bias) grads[(layer.bias.read() as tf.Variable).name] = tf.sum(dz, 0);
    if (i > 0 || wantInputGrad) {
      let dh = tf.matMul(dz, kernel, false, true);
      for (const m of [...(fwd.multipliers[i] ?? [])].reverse()) dh = tf.mul(dh, m);
      if (i === 0) return dh as tf.Tensor2D;
      const below = (stack[i - 1] as DenseLayer).activation;
      if (below === 'softmax') throw new Error('a softmax Dense layer can only end the stack');
      dz = throughActivation(dh, fwd.outputs[i] as tf.Tensor2D, fwd.preActivations[i] as tf.Tensor2D, below);
    }
  }
  return null;
}

export function createDenseStackStep(stack: readonly DenseLayer[], optimizer: tf.Optimizer): TrainStep {
  return (x, yOneHot) =>
    tf.tidy(() => {
      const rows = x.shape[0] ?? 0;
      const fwd = denseStackForward(stack, x as tf.Tensor2D);
      const classes = fwd.logits.shape[1];
      const { loss, grad, correct } = softmaxCrossEntropyRows(fwd.logits.dataSync(), yOneHot.dataSync(), rows, classes);
      const grads: tf.NamedTensorMap = {};
      denseStackBackward(stack, fwd, tf.tensor2d(grad, [rows, classes]), grads, false);
      optimizer.applyGradients(grads);
      return { loss, correct };
    });
}
