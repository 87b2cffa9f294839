// A train step for plain conv nets — Conv2D (any hidden activation: activations.ts), MaxPooling2D, AveragePooling2D
// and (after the first conv layer) BatchNormalization layers on image input, then one Flatten, then a dense stack (dense-stack-step.ts: Dense and Dropout
// layers ending in a softmax Dense) — with the backward pass written out instead of recorded on tfjs's tape. The
// "Small CNN" preset and Keras' mnist_convnet are among these.
//
// Why: on the tape a conv block costs passes over its largest activation that the arithmetic does not need. The
// tape's forward runs conv, bias add and relu as three kernels (fused kernels are refused under a tape when the
// activation is not linear); its backward runs MaxPoolGrad over the block's full-size activation and then relu's
// derivative as three more full-size passes (step, cast, multiply). Written out:
//   - forward: one fused conv + bias + activation kernel (XNNPACK applies both in its output loop);
//   - backward through relu → max pool: the pool sends each window's gradient to the window's maximum, whose value
//     is the pooled value, so relu's mask there is [pooled > 0] — applied to the pooled gradient (a quarter of the
//     size for a 2×2 pool) before MaxPoolGrad, which then needs no mask after it; where the wasm backend has the
//     fused kernel (max-pool-grad.ts), the mask, the pool's gradient and the conv's bias gradient are one pass;
//   - where it has the sparse block kernel (conv-pool-backward.ts), a stride-1 conv under such a pool takes its
//     filter, bias and input gradients in one pass from the pooled gradient, never building the mostly-zero dz;
//   - the first conv layer's input gradient is never computed (the tape skips it too).
// Activations a fused kernel cannot apply (tanh, selu, softplus, softsign) run after the fused conv + bias.
// The kernels are the ones the tape's gradients call (Conv2DBackpropFilter/Input, MaxPoolGrad, AvgPoolGrad, Sum), so every backend
// runs this step; a test holds it to the tape step's loss and updates on the cpu backend.
import * as tf from '@tensorflow/tfjs';
import { BATCH_NORM_GRAD, BATCH_NORM_TRAIN, fusedBatchNormAvailable } from '../engine/wasm-kernels/batch-norm.ts';
import { fusedMaxPoolGradAvailable, MAX_POOL_GRAD_BIAS } from '../engine/wasm-kernels/max-pool-grad.ts';
import { CONV_POOL_GRAD, convPoolBackwardAvailable } from '../engine/wasm-kernels/conv-pool-backward.ts';
import { activate, fusable, isHiddenActivation, throughActivation, type HiddenActivation } from './activations.ts';
import { chainLayers, denseStackBackward, denseStackForward, parseDenseStack, type DenseLayer } from './dense-stack-step.ts';
import { softmaxCrossEntropyRows } from './softmax-crossentropy.ts';
import type { TrainStep } from './train-step.ts';

interface LayerVariableLike {
  read(): tf.Tensor;
}

type Pair = [number, number];

interface ConvStage {
  kind: 'conv';
  kernel: LayerVariableLike;
  bias: LayerVariableLike | null;
  activation: HiddenActivation;
  strides: Pair;
  padding: 'same' | 'valid';
}

interface PoolStage {
  kind: 'maxPool' | 'avgPool';
  poolSize: Pair;
  strides: Pair;
  padding: 'same' | 'valid';
}

interface WritableVariableLike extends LayerVariableLike {
  write(value: tf.Tensor): void;
}

/** BatchNormalization over the channels (axis −1), with gamma and beta (tfjs-layers trains no other form). */
interface BatchNormStage {
  kind: 'batchNorm';
  gamma: LayerVariableLike;
  beta: LayerVariableLike;
  movingMean: WritableVariableLike;
  movingVariance: WritableVariableLike;
  epsilon: number;
  momentum: number;
}

type Stage = ConvStage | PoolStage | BatchNormStage;

export interface ConvNet {
  stages: Stage[];
  dense: DenseLayer[];
}

/** Config keys that would change what a Conv2D layer computes or how it trains beyond kernel, bias and activation. */
const UNSUPPORTED_CONV_CONFIG = ['kernelRegularizer', 'biasRegularizer', 'activityRegularizer', 'kernelConstraint', 'biasConstraint'] as const;

function pair(v: unknown): Pair | null {
  const a = typeof v === 'number' ? [v, v] : v;
  if (!Array.isArray(a) || a.length !== 2 || !a.every((n) => Number.isInteger(n) && (n as number) > 0)) return null;
  return [a[0] as number, a[1] as number];
}

function padding(v: unknown): 'same' | 'valid' | null {
  return v === 'same' || v === 'valid' ? v : null;
}

function convStage(layer: tf.layers.Layer): ConvStage | null {
  const config = layer.getConfig() as Record<string, unknown>;
  if (UNSUPPORTED_CONV_CONFIG.some((key) => config[key] != null)) return null;
  if ((config['dataFormat'] ?? 'channelsLast') !== 'channelsLast') return null;
  const dilation = pair(config['dilationRate'] ?? 1);
  if (dilation == null || dilation[0] !== 1 || dilation[1] !== 1) return null;
  const activation = config['activation'];
  if (!isHiddenActivation(activation)) return null;
  const strides = pair(config['strides'] ?? 1);
  const pad = padding(config['padding'] ?? 'valid');
  const internals = layer as unknown as { kernel?: LayerVariableLike; bias?: LayerVariableLike | null; useBias?: boolean };
  if (strides == null || pad == null || internals.kernel == null) return null;
  return { kind: 'conv', kernel: internals.kernel, bias: internals.useBias === false ? null : (internals.bias ?? null), activation, strides, padding: pad };
}

function poolStage(layer: tf.layers.Layer, kind: PoolStage['kind']): PoolStage | null {
  const config = layer.getConfig() as Record<string, unknown>;
  if ((config['dataFormat'] ?? 'channelsLast') !== 'channelsLast') return null;
  const poolSize = pair(config['poolSize']);
  const strides = pair(config['strides'] ?? config['poolSize']);
  const pad = padding(config['padding'] ?? 'valid');
  if (poolSize == null || strides == null || pad == null) return null;
  return { kind, poolSize, strides, padding: pad };
}

/** Config keys that would change what a BatchNormalization layer computes or how it trains. */
const UNSUPPORTED_BATCH_NORM_CONFIG = ['betaRegularizer', 'gammaRegularizer', 'betaConstraint', 'gammaConstraint'] as const;

function batchNormStage(layer: tf.layers.Layer): BatchNormStage | null {
  const config = layer.getConfig() as Record<string, unknown>;
  if (UNSUPPORTED_BATCH_NORM_CONFIG.some((key) => config[key] != null)) return null;
  if (config['axis'] !== -1 && config['axis'] !== 3) return null;
  const internals = layer as unknown as { gamma?: LayerVariableLike | null; beta?: LayerVariableLike | null; movingMean?: WritableVariableLike; movingVariance?: WritableVariableLike; epsilon?: number; momentum?: number };
  const { gamma, beta, movingMean, movingVariance, epsilon, momentum } = internals;
  if (gamma == null || beta == null || movingMean == null || movingVariance == null || typeof epsilon !== 'number' || typeof momentum !== 'number') return null;
  return { kind: 'batchNorm', gamma, beta, movingMean, movingVariance, epsilon, momentum };
}

/** The model's stages and dense head when it is a plain conv net on rank-4 input (see the top of this file), else null. */
export function findConvNet(model: tf.LayersModel): ConvNet | null {
  if (model.inputs.length !== 1 || model.inputs[0]?.shape.length !== 4) return null;
  const stages: Stage[] = [];
  // A Sequential's layers, or a functional graph's when it is a plain chain (a chain drawn as a graph keeps this path).
  const layers = chainLayers(model);
  if (layers === null) return null;
  let i = 0;
  for (; i < layers.length; i++) {
    const layer = layers[i] as tf.layers.Layer;
    const name = layer.getClassName();
    if (name === 'Flatten') break;
    const stage =
      name === 'Conv2D' ? convStage(layer)
      : name === 'MaxPooling2D' ? poolStage(layer, 'maxPool')
      : name === 'AveragePooling2D' ? poolStage(layer, 'avgPool')
      : name === 'BatchNormalization' ? batchNormStage(layer)
      : null;
    if (stage == null) return null;
    // Stages before the first conv layer get no gradient (see backwardStages): none of them may have weights.
    if (stage.kind === 'batchNorm' && !stages.some((s) => s.kind === 'conv')) return null;
    stages.push(stage);
  }
  if (i >= layers.length || !stages.some((s) => s.kind === 'conv')) return null;
  const dense = parseDenseStack(layers.slice(i + 1));
  return dense == null ? null : { stages, dense };
}

/** What one stage's forward pass keeps for its backward pass. */
interface StageRecord {
  input: tf.Tensor4D;
  output: tf.Tensor4D;
  /** A conv stage's pre-activation when it was computed apart (unfusable activations), else its output. */
  preActivation: tf.Tensor4D;
  /**
   * A batch normalization's statistics for its backward pass: x̂ = (x − mean)/√(var + ε) and 1/√(var + ε), per channel
   * (tf ops); or, where the fused kernels run it, the batch mean and 1/√(var + ε) (x̂ is recomputed from the input).
   */
  normalized?: { xHat: tf.Tensor4D; invStd: tf.Tensor1D } | { mean: tf.Tensor1D; invStd: tf.Tensor1D };
}

/**
 * Batch normalization in training, as tfjs-layers runs it: the batch's moments, tf.batchNorm (one FusedBatchNorm
 * kernel), and the moving averages updated as `moving − (moving − batch)·(1 − momentum)`.
 */
function forwardBatchNorm(stage: BatchNormStage, x: tf.Tensor4D): StageRecord {
  const fused = fusedBatchNormAvailable(tf);
  const [output, mean, variance, invStd] = fused
    ? (tf.engine().runKernel(BATCH_NORM_TRAIN, { x, gamma: stage.gamma.read(), beta: stage.beta.read() }, { epsilon: stage.epsilon }) as [tf.Tensor4D, tf.Tensor1D, tf.Tensor1D, tf.Tensor1D])
    : (() => {
        const moments = tf.moments(x, [0, 1, 2]);
        const normalizedOutput = tf.batchNorm(x, moments.mean, moments.variance, stage.beta.read(), stage.gamma.read(), stage.epsilon) as tf.Tensor4D;
        return [normalizedOutput, moments.mean as tf.Tensor1D, moments.variance as tf.Tensor1D, tf.rsqrt(tf.add(moments.variance, stage.epsilon)) as tf.Tensor1D] as const;
      })();
  for (const [moving, value] of [[stage.movingMean, mean], [stage.movingVariance, variance]] as const) {
    const old = moving.read();
    moving.write(tf.sub(old, tf.mul(tf.sub(old, value), 1 - stage.momentum)));
  }
  const normalized = fused ? { mean, invStd } : { xHat: tf.mul(tf.sub(x, mean), invStd) as tf.Tensor4D, invStd };
  return { input: x, output, preActivation: output, normalized };
}

/** dx: dL/d(batch norm's input); reluApplied: whether relu's mask below is in it already (dx is then that layer's dz). */
interface BatchNormBackward {
  dx: tf.Tensor4D;
  reluApplied: boolean;
}

/**
 * Backward through batch normalization (N values per channel): dβ = Σdy, dγ = Σdy·x̂, and
 * dx = γ·invStd/N · (N·dy − Σdy − x̂·Σdy·x̂) — the gradient through the batch's mean and variance included, as the
 * tape differentiates it.
 */
function backwardBatchNorm(stage: BatchNormStage, record: StageRecord, dy: tf.Tensor4D, grads: tf.NamedTensorMap, reluBelow: boolean): BatchNormBackward {
  const normalized = record.normalized as NonNullable<StageRecord['normalized']>;
  if ('mean' in normalized) {
    const gamma = stage.gamma.read();
    const inputs = { dy, x: record.input, mean: normalized.mean, invStd: normalized.invStd, gamma };
    // Over a relu conv layer the kernel also applies relu's mask (x is the relu's output).
    const [dx, dGamma, dBeta] = tf.engine().runKernel(BATCH_NORM_GRAD, inputs, { relu: reluBelow }) as [tf.Tensor4D, tf.Tensor1D, tf.Tensor1D];
    grads[(gamma as tf.Variable).name] = dGamma;
    grads[(stage.beta.read() as tf.Variable).name] = dBeta;
    return { dx, reluApplied: reluBelow };
  }
  const { xHat, invStd } = normalized;
  const n = dy.size / (dy.shape[3] ?? 1);
  const sumDy = tf.sum(dy, [0, 1, 2]);
  const sumDyXHat = tf.sum(tf.mul(dy, xHat), [0, 1, 2]);
  const gamma = stage.gamma.read();
  grads[(gamma as tf.Variable).name] = sumDyXHat;
  grads[(stage.beta.read() as tf.Variable).name] = sumDy;
  const scale = tf.div(tf.mul(gamma, invStd), n);
  return { dx: tf.mul(tf.sub(tf.sub(tf.mul(dy, n), sumDy), tf.mul(xHat, sumDyXHat)), scale) as tf.Tensor4D, reluApplied: false };
}

function forwardStage(stage: Stage, x: tf.Tensor4D): StageRecord {
  if (stage.kind === 'batchNorm') return forwardBatchNorm(stage, x);
  if (stage.kind !== 'conv') {
    const pool = stage.kind === 'maxPool' ? tf.maxPool : tf.avgPool;
    const output = pool(x, stage.poolSize, stage.strides, stage.padding);
    return { input: x, output, preActivation: output };
  }
  // Outside a tape tfjs fuses bias and activation into the conv kernel; the same ops the layer runs otherwise.
  const fused = fusable(stage.activation);
  const z = tf.fused.conv2d({
    x,
    filter: stage.kernel.read() as tf.Tensor4D,
    strides: stage.strides,
    pad: stage.padding,
    dataFormat: 'NHWC',
    dilations: 1,
    bias: stage.bias?.read(),
    activation: fusable(stage.activation) ? stage.activation : 'linear',
  });
  return { input: x, output: fused ? z : (activate(z, stage.activation) as tf.Tensor4D), preActivation: z };
}

/**
 * Backward through the stages, last first, from dL/d(last stage's output). Adds each conv weight's gradient to
 * `grads`. Stages before the first conv layer need no gradient and are not visited.
 */
function backwardStages(stages: readonly Stage[], records: readonly StageRecord[], dOut: tf.Tensor4D, grads: tf.NamedTensorMap): void {
  const firstConv = stages.findIndex((s) => s.kind === 'conv');
  let dy: tf.Tensor4D = dOut;
  // True when dy is already dL/d(pre-activation) of the relu conv stage below (the mask went before the pool).
  let masked = false;
  // The bias gradient of the conv stage below, when the max pool's fused kernel already summed it.
  let biasGrad: tf.Tensor1D | null = null;
  for (let i = stages.length - 1; i >= firstConv; i--) {
    const stage = stages[i] as Stage;
    const { input, output, preActivation } = records[i] as StageRecord;
    if (stage.kind === 'batchNorm') {
      const below = stages[i - 1];
      const back = backwardBatchNorm(stage, records[i] as StageRecord, dy, grads, below?.kind === 'conv' && below.activation === 'relu');
      dy = back.dx;
      masked = back.reluApplied;
      continue;
    }
    if (stage.kind !== 'conv') {
      if (stage.kind === 'avgPool') {
        // Every input of a window shares its gradient: no mask can go before this pool.
        dy = tf.engine().runKernel('AvgPoolGrad', { dy, input }, { filterSize: stage.poolSize, strides: stage.strides, pad: stage.padding }) as tf.Tensor4D;
        masked = false;
        continue;
      }
      const below = stages[i - 1];
      const reluBelow = below?.kind === 'conv' && below.activation === 'relu';
      // A conv stage right below whose activation the fused kernels fold in (relu's mask, or none).
      const convBelow = below?.kind === 'conv' && (reluBelow || below.activation === 'linear') ? below : null;
      const poolAttrs = { filterSize: stage.poolSize, strides: stage.strides, pad: stage.padding, relu: reluBelow };
      const kernel = convBelow?.kernel.read() as tf.Tensor4D | undefined;
      if (convBelow != null && kernel != null && convPoolBackwardAvailable(tf, { filterShape: kernel.shape, strides: convBelow.strides, padding: convBelow.padding }, input.shape, stage.poolSize, stage.strides, stage.padding)) {
        // The whole block at once, sparse: filter, bias and (unless it is the first conv layer) input gradients.
        const inputGradient = i - 1 > firstConv;
        const inputs = { x: (records[i - 1] as StageRecord).input, z: input, y: output, dy, filter: kernel };
        const [dW, dB, dX] = tf.engine().runKernel(CONV_POOL_GRAD, inputs, { ...poolAttrs, inputGradient }) as unknown as [tf.Tensor4D, tf.Tensor1D, tf.Tensor4D | undefined];
        grads[(kernel as tf.Variable).name] = dW;
        if (convBelow.bias) grads[(convBelow.bias.read() as tf.Variable).name] = dB;
        if (dX != null) dy = dX;
        masked = false;
        i--; // the conv stage below is done
        continue;
      }
      if (convBelow != null && fusedMaxPoolGradAvailable(tf, input.shape, stage.poolSize, stage.strides, stage.padding)) {
        // One pass: relu's mask, the pool's gradient, and the conv's bias gradient (Σ over the pool's full-size dx).
        [dy, biasGrad] = tf.engine().runKernel(MAX_POOL_GRAD_BIAS, { dy, input, output }, poolAttrs) as unknown as [tf.Tensor4D, tf.Tensor1D];
        masked = true;
        continue;
      }
      const dPooled = reluBelow ? throughActivation(dy, output, output, 'relu') : dy; // relu's mask from the pooled maximum
      dy = tf.engine().runKernel('MaxPoolGrad', { dy: dPooled, input, output }, { filterSize: stage.poolSize, strides: stage.strides, pad: stage.padding }) as tf.Tensor4D;
      masked = reluBelow;
      continue;
    }
    const dz = (masked ? dy : throughActivation(dy, output, preActivation, stage.activation)) as tf.Tensor4D;
    masked = false;
    const kernel = stage.kernel.read() as tf.Tensor4D;
    const convAttrs = { strides: stage.strides, pad: stage.padding, dataFormat: 'NHWC' };
    grads[(kernel as tf.Variable).name] = tf.engine().runKernel('Conv2DBackpropFilter', { x: input, dy: dz }, { ...convAttrs, filterShape: kernel.shape }) as tf.Tensor;
    if (stage.bias) grads[(stage.bias.read() as tf.Variable).name] = biasGrad ?? tf.sum(dz, [0, 1, 2]);
    biasGrad = null;
    if (i > firstConv) dy = tf.engine().runKernel('Conv2DBackpropInput', { dy: dz, filter: kernel }, { ...convAttrs, inputShape: input.shape }) as tf.Tensor4D;
  }
}

export function createConvNetStep(net: ConvNet, optimizer: tf.Optimizer): TrainStep {
  return (x, yOneHot) =>
    tf.tidy(() => {
      const rows = x.shape[0] ?? 0;
      const records: StageRecord[] = [];
      let h = x as tf.Tensor4D;
      for (const stage of net.stages) {
        const record = forwardStage(stage, h);
        records.push(record);
        h = record.output;
      }
      const flat = tf.reshape(h, [rows, -1]) as tf.Tensor2D;
      const fwd = denseStackForward(net.dense, flat);
      const classes = fwd.logits.shape[1];
      const { loss, grad, correct } = softmaxCrossEntropyRows(fwd.logits.dataSync(), yOneHot.dataSync(), rows, classes);
      const grads: tf.NamedTensorMap = {};
      const dFlat = denseStackBackward(net.dense, fwd, tf.tensor2d(grad, [rows, classes]), grads, true);
      if (dFlat == null) throw new Error('dense head returned no input gradient');
      backwardStages(net.stages, records, tf.reshape(dFlat, h.shape), grads);
      optimizer.applyGradients(grads);
      return { loss, correct };
    });
}
