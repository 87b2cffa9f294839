// One optimisation step for tf.layers models (Sequential, or functional graphs): forward in training mode, categorical crossentropy on the
// model's softmax output, gradients, optimizer update — without model.fit's per-batch bookkeeping.
//
// Plain softmax MLPs (dropout between layers included) take a written-out backward pass (dense-stack-step.ts), plain
// conv nets another (conv-net-step.ts); every other model records its forward
// pass on tfjs's tape here. When the model ends in softmax (a Dense or Activation layer with activation 'softmax'),
// the loss is computed from the logits in JS (softmax-crossentropy.ts): Keras' clipped crossentropy on the softmax
// output (ε = 1e-7), numerically stable, with a hand-written gradient. Any other model falls back to Keras' formula
// on its output, differentiated by tfjs.
import * as tf from '@tensorflow/tfjs';

import { graphPlan, isGraphModel, runToOutputInput, type GraphPlan } from '../model/graph/graph-forward.ts';
import { createConvNetStep, findConvNet } from './conv-net-step.ts';
import { createDenseStackStep, findDenseStack } from './dense-stack-step.ts';
import { KERAS_EPSILON, softmaxCrossEntropyRows } from './softmax-crossentropy.ts';

export type TrainInput = tf.Tensor2D | tf.Tensor4D;

/** What one step measured, read back from the backend by the step itself (the loop needs the numbers every batch). */
export type TrainStepResult = {
  /** Mean categorical crossentropy of the batch (before the update). */
  loss: number;
  /** Number of rows whose argmax prediction matches argmax of the label. */
  correct: number;
};

export type TrainStep = (x: TrainInput, yOneHot: tf.Tensor2D) => TrainStepResult;

interface DenseInternals {
  kernel?: { read(): tf.Tensor };
  bias?: { read(): tf.Tensor } | null;
}

/** How to run the model up to its softmax: the layers before the head, in a chain or as a graph. */
type Body = { kind: 'chain'; layers: tf.layers.Layer[] } | { kind: 'graph'; plan: GraphPlan };
type Head = { kind: 'dense'; body: Body; dense: tf.layers.Layer } | { kind: 'activation'; body: Body };

function activationOf(layer: tf.layers.Layer): unknown {
  return (layer.getConfig() as { activation?: unknown }).activation;
}

/** Finds a softmax at the end of the model (Sequential or functional), so the loss can be taken from logits. */
export function findSoftmaxHead(model: tf.LayersModel): Head | null {
  const layers = model.layers;
  const last = layers[layers.length - 1];
  if (last == null || activationOf(last) !== 'softmax') return null;
  let body: Body;
  if (isGraphModel(model)) {
    const plan = graphPlan(model);
    if (plan.steps[plan.steps.length - 1]?.inputs.length !== 1) return null;
    body = { kind: 'graph', plan };
  } else {
    body = { kind: 'chain', layers: layers.slice(0, -1) };
  }
  if (last.getClassName() === 'Activation') return { kind: 'activation', body };
  const internals = last as unknown as DenseInternals;
  if (last.getClassName() === 'Dense' && internals.kernel != null) return { kind: 'dense', body, dense: last };
  return null;
}

function bodyForward(body: Body, x: tf.Tensor, training: boolean): tf.Tensor {
  if (body.kind === 'graph') return runToOutputInput(body.plan, x, training);
  let h = x;
  for (const layer of body.layers) h = layer.apply(h, { training }) as tf.Tensor;
  return h;
}

/** Runs the model up to its softmax: logits when the head allows it, else the model's probabilities. */
function headForward(head: Head, x: tf.Tensor, training: boolean): { logits: tf.Tensor } | { probs: tf.Tensor } {
  const h = bodyForward(head.body, x, training);
  if (head.kind === 'activation') return { logits: h };
  const d = head.dense as unknown as DenseInternals;
  const kernel = d.kernel?.read();
  if (h.rank !== 2 || kernel == null) return { probs: head.dense.apply(h, { training }) as tf.Tensor };
  const bias = d.bias?.read();
  return { logits: bias == null ? tf.matMul(h, kernel) : tf.add(tf.matMul(h, kernel), bias) };
}

/**
 * Mean categorical crossentropy from logits, equal to Keras' `-Σ y·log(clip(softmax(z), ε, 1−ε))` averaged over the
 * batch. Gradient: (p·Σ(y⊙m) − y⊙m)/B, with m masking the entries Keras' clip holds constant.
 *
 * Value, gradient and the batch's correct count are computed in one pass over the logits in JS (float64): the logits
 * are a small [batch, classes] block, and the ~25 tensor ops this takes otherwise cost more in per-op overhead than
 * the arithmetic (a tenth of a seed training step on wasm). The loop reads the loss every step anyway, so reading the
 * logits adds no extra wait on an asynchronous backend beyond this block.
 */
export function softmaxCrossEntropyFromLogits(logits: tf.Tensor, labels: tf.Tensor, onResult?: (result: TrainStepResult) => void): tf.Scalar {
  const op = tf.customGrad(((z: tf.Tensor, save: tf.GradSaveFunc) => {
    const { loss, grad, correct } = softmaxCrossEntropyRows(z.dataSync(), labels.dataSync(), z.shape[0] ?? 0, z.shape[1] ?? 0);
    onResult?.({ loss, correct });
    save([tf.tensor(grad, z.shape)]);
    return {
      value: tf.scalar(loss),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.mul(saved[0] as tf.Tensor, dy),
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return op(logits) as tf.Scalar;
}

/** Keras' categorical crossentropy on probabilities (the fallback when the model has no softmax head). */
export function categoricalCrossentropyFromProbs(probs: tf.Tensor, labels: tf.Tensor): tf.Scalar {
  const p = tf.clipByValue(tf.div(probs, tf.sum(probs, -1, true)), KERAS_EPSILON, 1 - KERAS_EPSILON);
  return tf.neg(tf.mean(tf.sum(tf.mul(labels, tf.log(p)), -1))) as tf.Scalar;
}

export function countCorrect(scores: tf.Tensor, labels: tf.Tensor): tf.Scalar {
  return tf.sum(tf.cast(tf.equal(tf.argMax(scores, -1), tf.argMax(labels, -1)), 'float32')) as tf.Scalar;
}

/**
 * The loss of one batch in training mode (dropout active, batch norm on batch statistics and updating its moving
 * averages), to be differentiated; its value and correct count go to `onResult` as numbers.
 */
function forwardLoss(model: tf.LayersModel, head: Head | null, x: tf.Tensor, y: tf.Tensor, onResult: (result: TrainStepResult) => void): tf.Scalar {
  const out = head == null ? { probs: model.apply(x, { training: true }) as tf.Tensor } : headForward(head, x, true);
  if ('logits' in out) return softmaxCrossEntropyFromLogits(out.logits, y, onResult);
  const loss = categoricalCrossentropyFromProbs(out.probs, y);
  const [value, correct] = tf.stack([loss, countCorrect(out.probs, y)]).dataSync();
  onResult({ loss: value ?? NaN, correct: correct ?? NaN });
  return loss;
}

/** Which step createTrainStep picks for this model (reported by the bench). */
export function trainStepPath(model: tf.LayersModel): 'dense stack (written-out backward)' | 'conv net (written-out backward)' | 'tape' {
  if (findDenseStack(model)) return 'dense stack (written-out backward)';
  return findConvNet(model) ? 'conv net (written-out backward)' : 'tape';
}

/**
 * The step for this model: written-out backprop for plain softmax MLPs, dropout included (dense-stack-step.ts), and
 * for plain conv nets (conv2d, max/average pools, batch normalization, flatten, such an MLP: conv-net-step.ts), else
 * tfjs's tape.
 */
export function createTrainStep(model: tf.LayersModel, optimizer: tf.Optimizer): TrainStep {
  const stack = findDenseStack(model);
  if (stack) return createDenseStackStep(stack, optimizer);
  const convNet = findConvNet(model);
  return convNet ? createConvNetStep(convNet, optimizer) : createTapeTrainStep(model, optimizer);
}

/** The generic step: forward in training mode under tfjs's tape, optimizer.minimize. Any tf.layers model, graphs included. */
export function createTapeTrainStep(model: tf.LayersModel, optimizer: tf.Optimizer): TrainStep {
  const head = findSoftmaxHead(model);
  return (x, yOneHot) => {
    const varList = model.trainableWeights.map((w) => w.read() as tf.Variable);
    let result: TrainStepResult | null = null;
    optimizer.minimize(
      () =>
        forwardLoss(model, head, x, yOneHot, (r) => {
          result = r;
        }),
      false,
      varList,
    );
    if (result == null) throw new Error('train step produced no loss');
    return result;
  };
}
