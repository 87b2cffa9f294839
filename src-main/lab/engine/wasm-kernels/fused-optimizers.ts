// Adam, Adagrad and RMSprop updates for tfjs's wasm backend: one JS pass per small variable over its value, its slots
// and its gradient on the wasm heap.
//
// Why: tfjs's optimizers run each update as a chain of small kernels per variable (Adam: mul, add, square, div, sqrt…
// 11 per variable; RMSprop 9–14; Adagrad 6), each dispatched through the engine and allocating its output. For a small
// variable that dispatch is the whole cost: on the Keras CNN (Adam, 35k parameters in 6 variables) ~70 kernel calls a
// step for ~0.1 ms of arithmetic. A large variable is different: XNNPACK's SIMD kernels stream it several times faster
// than a scalar JS loop can (Adam on 400k elements: the kernel chain 0.6× the JS pass's time; SGD's two kernels 8×
// faster than JS at any size above ~10k, which is why SGD and momentum stay tfjs's own). So a variable of more than
// FUSED_MAX_ELEMENTS takes tfjs's kernel chain, written here op for op as tfjs writes it.
//
// Same numbers: each element's update is tfjs's float32 arithmetic in tfjs's order, every operation rounded to float32
// with Math.fround (+, −, ×, ÷ and √ of float32 values computed in float64 and rounded once equal the float32
// operation), with tfjs's scalars as tfjs makes them (float32 tensors of beta1, 1 − beta1, −learningRate…). The
// result equals tf.train.adam / adagrad / rmsprop on the cpu backend bit for bit (test/lab/engine/fused-optimizers.test.ts).
//
// Same object: the classes extend tfjs's optimizers and keep the state in the fields tfjs's own methods read (the
// slot variables, accBeta1/accBeta2), so getWeights/setWeights, getConfig, learningRate, iterations and dispose are
// tfjs's, unchanged.
//
// The new value goes to a new buffer, assigned to the variable as tfjs assigns (the old one freed when no other tensor
// holds it): the wasm backend caches work per tensor buffer — XNNPACK's packed weights of a matrix product or a
// convolution are kept by the weights' buffer id — so a weight rewritten in place would be multiplied as its old
// value. The slots (never a kernel's weights) are updated in place; a slot buffer another tensor shares (a clone of
// getWeights' tensor through the shared Identity) is first copied to one of its own (copy on write), so tensors stay
// immutable to everyone else.
import * as tf from '@tensorflow/tfjs';

import type { WasmBackendLike } from './wasm-backend.ts';

/** What Optimizer.applyGradients takes: gradients by variable name, or a list of named gradients. */
type Gradients = tf.NamedTensorMap | { name: string; tensor: tf.Tensor }[];

interface SlotVariable {
  originalName: string;
  variable: tf.Variable;
}

const f32 = Math.fround;

function gradientList(grads: Gradients): { name: string; gradient: tf.Tensor | undefined }[] {
  return Array.isArray(grads) ? grads.map((g) => ({ name: g.name, gradient: g.tensor })) : Object.keys(grads).map((name) => ({ name, gradient: grads[name] }));
}

function activeWasmBackend(): WasmBackendLike {
  const name = tf.getBackend();
  if (name !== 'wasm') throw new Error(`the fused optimizers update tensors on the wasm backend's heap, and the active backend is ${name}`);
  return tf.backend() as unknown as WasmBackendLike;
}

function registeredVariable(name: string): tf.Variable {
  const v = tf.engine().registeredVariables[name];
  if (v == null) throw new Error(`no variable named ${name} to update`);
  if (v.dtype !== 'float32') throw new Error(`variable ${name} is ${v.dtype}; the fused optimizers update float32 variables`);
  return v;
}

/** A new float32 variable of `like`'s shape, all zeros: an optimizer slot, made as tfjs makes it. */
function zeroSlot(like: tf.Tensor, originalName: string): SlotVariable {
  return { originalName, variable: tf.tidy(() => tf.zerosLike(like).variable(false)) };
}

/** Gives slot `v` a buffer of its own when another tensor shares its buffer, so that writing it in place changes only `v`. */
function ownBuffer(backend: WasmBackendLike, v: tf.Variable): void {
  const data = backend.dataIdMap.get(v.dataId);
  if (data == null) throw new Error(`variable ${v.name} is not on the wasm backend`);
  if (data.refCount <= 1) return;
  const info = backend.makeOutput(v.shape, 'float32');
  const fresh = tf.engine().makeTensorFromTensorInfo(info);
  (backend.typedArrayFromHeap(info) as Float32Array).set(backend.typedArrayFromHeap(v)); // views after the allocation
  v.assign(fresh);
  fresh.dispose();
}

/** A new heap buffer of `v`'s shape for its next value, and the tensor that holds it (assign it, then dispose it). */
function nextValueBuffer(backend: WasmBackendLike, v: tf.Variable): { info: tf.TensorInfo; tensor: tf.Tensor } {
  const info = backend.makeOutput(v.shape, 'float32');
  return { info, tensor: tf.engine().makeTensorFromTensorInfo(info) };
}

function assignNext(v: tf.Variable, next: tf.Tensor): void {
  v.assign(next);
  next.dispose();
}

/** The gradient's float32 values on the heap (a view: read it before the next heap allocation). */
function gradientView(backend: WasmBackendLike, gradient: tf.Tensor, value: tf.Variable): Float32Array {
  if (gradient.dtype !== 'float32') throw new Error(`the gradient of ${value.name} is ${gradient.dtype}, not float32`);
  if (gradient.size !== value.size) throw new Error(`the gradient of ${value.name} has shape [${gradient.shape.join(', ')}], the variable [${value.shape.join(', ')}]`);
  if (backend.dataIdMap.get(gradient.dataId) == null) throw new Error(`the gradient of ${value.name} is not on the wasm backend`);
  return backend.typedArrayFromHeap(gradient) as Float32Array;
}

const heap = (backend: WasmBackendLike, t: tf.Tensor): Float32Array => backend.typedArrayFromHeap(t) as Float32Array;

/**
 * Variables above this many elements take tfjs's kernel chain (see the top). Paired timings on the 2-core build machine
 * (tfjs chain ÷ fused pass, Adam, wasm 2 threads): 12.7× at 1k elements, 6.2× at 10k, 1.3× at 50k, 0.9× at 100k, 0.6×
 * at 400k.
 */
export const FUSED_MAX_ELEMENTS = 65_536;

interface AdamState {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  accumulatedFirstMoment: SlotVariable[];
  accumulatedSecondMoment: SlotVariable[];
}

/**
 * Adam (tfjs's AdamOptimizer, Keras's rule with ε outside the square root and bias correction by 1 − β^t):
 *   m ← β1·m + (1 − β1)·g;  v ← β2·v + (1 − β2)·g²;  value ← (m / (1 − β1^t)) / (√(v / (1 − β2^t)) + ε) · (−lr) + value,
 * then β1^t and β2^t (accBeta1/accBeta2, float32 variables) advance by one factor each.
 */
export class FusedAdamOptimizer extends tf.AdamOptimizer {
  override applyGradients(variableGradients: Gradients): void {
    const backend = activeWasmBackend();
    const s = this as unknown as AdamState;
    const b1 = f32(s.beta1);
    const b2 = f32(s.beta2);
    const oneMinusB1 = f32(1 - s.beta1); // tfjs: mul(gradient, 1 - this.beta1), the difference made in float64
    const oneMinusB2 = f32(1 - s.beta2);
    const eps = f32(s.epsilon);
    const negLr = f32(-s.learningRate);
    ownBuffer(backend, s.accBeta1);
    ownBuffer(backend, s.accBeta2);
    const acc1 = heap(backend, s.accBeta1)[0] as number;
    const acc2 = heap(backend, s.accBeta2)[0] as number;
    const oneMinusAcc1 = f32(1 - acc1);
    const oneMinusAcc2 = f32(1 - acc2);
    gradientList(variableGradients).forEach(({ name, gradient }, i) => {
      const value = registeredVariable(name);
      const firstSlot = (s.accumulatedFirstMoment[i] ??= zeroSlot(value, `${name}/m`));
      const secondSlot = (s.accumulatedSecondMoment[i] ??= zeroSlot(value, `${name}/v`));
      if (gradient == null) return;
      if (value.size > FUSED_MAX_ELEMENTS) {
        // tfjs's chain (adam_optimizer.js), op for op; sub(1, accBeta) is the float32 scalar 1 − β^t.
        tf.tidy(() => {
          const newM = tf.add(tf.mul(firstSlot.variable, s.beta1), tf.mul(gradient, 1 - s.beta1));
          const newV = tf.add(tf.mul(secondSlot.variable, s.beta2), tf.mul(tf.square(gradient), 1 - s.beta2));
          const mHat = tf.div(newM, oneMinusAcc1);
          const vHat = tf.div(newV, oneMinusAcc2);
          firstSlot.variable.assign(newM);
          secondSlot.variable.assign(newV);
          value.assign(tf.add(tf.mul(tf.div(mHat, tf.add(tf.sqrt(vHat), s.epsilon)), -s.learningRate), value));
        });
        return;
      }
      const next = nextValueBuffer(backend, value);
      ownBuffer(backend, firstSlot.variable);
      ownBuffer(backend, secondSlot.variable);
      // Views only now: every allocation (slots, the new value, copies on write) is done, and heap growth detaches older views.
      const g = gradientView(backend, gradient, value);
      const w = heap(backend, value);
      const out = backend.typedArrayFromHeap(next.info) as Float32Array;
      const m = heap(backend, firstSlot.variable);
      const v = heap(backend, secondSlot.variable);
      for (let j = 0; j < w.length; j++) {
        const gj = g[j] as number;
        const mj = f32(f32((m[j] as number) * b1) + f32(gj * oneMinusB1));
        const vj = f32(f32((v[j] as number) * b2) + f32(f32(gj * gj) * oneMinusB2));
        m[j] = mj;
        v[j] = vj;
        const mHat = f32(mj / oneMinusAcc1);
        const vHat = f32(vj / oneMinusAcc2);
        out[j] = f32(f32(mHat / f32(f32(Math.sqrt(vHat)) + eps)) * negLr) + (w[j] as number);
      }
      assignNext(value, next.tensor);
    });
    // After the loop, as tfjs: a slot created above may have grown the heap, so the views are taken afresh.
    const accViews = [heap(backend, s.accBeta1), heap(backend, s.accBeta2)];
    (accViews[0] as Float32Array)[0] = f32(acc1 * b1);
    (accViews[1] as Float32Array)[0] = f32(acc2 * b2);
    this.incrementIterations();
  }
}

interface AdagradState {
  learningRate: number;
  initialAccumulatorValue: number;
  accumulatedGrads: SlotVariable[];
}

/** Adagrad (tfjs's AdagradOptimizer): a ← a + g²; value ← g / √(a + ε) · (−lr) + value, ε the backend's epsilon. */
export class FusedAdagradOptimizer extends tf.AdagradOptimizer {
  override applyGradients(variableGradients: Gradients): void {
    const backend = activeWasmBackend();
    const s = this as unknown as AdagradState;
    const negLr = f32(-s.learningRate);
    const eps = f32(tf.backend().epsilon());
    gradientList(variableGradients).forEach(({ name, gradient }, i) => {
      const value = registeredVariable(name);
      const slot = (s.accumulatedGrads[i] ??= { originalName: `${name}/accumulator`, variable: tf.tidy(() => tf.fill(value.shape, s.initialAccumulatorValue).variable(false)) });
      if (gradient == null) return;
      if (value.size > FUSED_MAX_ELEMENTS) {
        tf.tidy(() => {
          // tfjs's chain (adagrad_optimizer.js), op for op.
          const newAcc = tf.add(slot.variable, tf.square(gradient));
          slot.variable.assign(newAcc);
          value.assign(tf.add(tf.mul(tf.div(gradient, tf.sqrt(tf.add(newAcc, eps))), -s.learningRate), value));
        });
        return;
      }
      const next = nextValueBuffer(backend, value);
      ownBuffer(backend, slot.variable);
      const g = gradientView(backend, gradient, value); // views after every allocation
      const w = heap(backend, value);
      const out = backend.typedArrayFromHeap(next.info) as Float32Array;
      const a = heap(backend, slot.variable);
      for (let j = 0; j < w.length; j++) {
        const gj = g[j] as number;
        const aj = f32((a[j] as number) + f32(gj * gj));
        a[j] = aj;
        out[j] = f32(f32(gj / f32(Math.sqrt(f32(aj + eps)))) * negLr) + (w[j] as number);
      }
      assignNext(value, next.tensor);
    });
    this.incrementIterations();
  }
}

interface RmsPropState {
  learningRate: number;
  decay: number;
  momentum: number;
  epsilon: number;
  centered: boolean;
  accumulatedMeanSquares: SlotVariable[];
  accumulatedMoments: SlotVariable[];
  accumulatedMeanGrads: SlotVariable[];
}

/**
 * RMSprop (tfjs's RMSPropOptimizer): s ← ρ·s + (1 − ρ)·g²; mom ← μ·mom + g·lr / √(s + ε); value ← value − mom. Centered:
 * also mg ← ρ·mg + (1 − ρ)·g, and the root is √(s − (mg² + ε)) (tfjs's placement of ε).
 */
export class FusedRmsPropOptimizer extends tf.RMSPropOptimizer {
  override applyGradients(variableGradients: Gradients): void {
    const backend = activeWasmBackend();
    const s = this as unknown as RmsPropState;
    const decay = f32(s.decay);
    const oneMinusDecay = f32(1 - s.decay);
    const momentum = f32(s.momentum);
    const lr = f32(s.learningRate);
    const eps = f32(s.epsilon);
    gradientList(variableGradients).forEach(({ name, gradient }, i) => {
      const value = registeredVariable(name);
      const squares = (s.accumulatedMeanSquares[i] ??= zeroSlot(value, `${name}/rms`));
      const moments = (s.accumulatedMoments[i] ??= zeroSlot(value, `${name}/momentum`));
      const means = s.centered ? (s.accumulatedMeanGrads[i] ??= zeroSlot(value, `${name}/mg`)) : null;
      if (gradient == null) return;
      if (value.size > FUSED_MAX_ELEMENTS) {
        tf.tidy(() => {
          // tfjs's chain (rmsprop_optimizer.js), op for op.
          const newSquares = tf.add(tf.mul(squares.variable, s.decay), tf.mul(tf.square(gradient), 1 - s.decay));
          let root: tf.Tensor;
          if (means) {
            const newMeans = tf.add(tf.mul(means.variable, s.decay), tf.mul(gradient, 1 - s.decay));
            root = tf.sqrt(tf.sub(newSquares, tf.add(tf.square(newMeans), s.epsilon)));
            means.variable.assign(newMeans);
          } else {
            root = tf.sqrt(tf.add(newSquares, s.epsilon));
          }
          const newMoments = tf.add(tf.mul(moments.variable, s.momentum), tf.div(tf.mul(gradient, s.learningRate), root));
          squares.variable.assign(newSquares);
          moments.variable.assign(newMoments);
          value.assign(tf.sub(value, newMoments));
        });
        return;
      }
      const next = nextValueBuffer(backend, value);
      for (const slot of [squares, moments, means]) if (slot) ownBuffer(backend, slot.variable);
      const g = gradientView(backend, gradient, value); // views after every allocation
      const w = heap(backend, value);
      const out = backend.typedArrayFromHeap(next.info) as Float32Array;
      const sq = heap(backend, squares.variable);
      const mom = heap(backend, moments.variable);
      const mg = means ? heap(backend, means.variable) : null;
      for (let j = 0; j < w.length; j++) {
        const gj = g[j] as number;
        const sj = f32(f32((sq[j] as number) * decay) + f32(f32(gj * gj) * oneMinusDecay));
        sq[j] = sj;
        let root: number;
        if (mg) {
          const mj = f32(f32((mg[j] as number) * decay) + f32(gj * oneMinusDecay));
          mg[j] = mj;
          root = f32(Math.sqrt(f32(sj - f32(f32(mj * mj) + eps))));
        } else {
          root = f32(Math.sqrt(f32(sj + eps)));
        }
        const mo = f32(f32((mom[j] as number) * momentum) + f32(f32(gj * lr) / root));
        mom[j] = mo;
        out[j] = (w[j] as number) - mo;
      }
      assignNext(value, next.tensor);
    });
    this.incrementIterations();
  }
}
