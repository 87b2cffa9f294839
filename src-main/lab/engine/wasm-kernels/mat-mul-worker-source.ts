// The body of a matmul helper thread, kept as a self-contained CommonJS script run with `new Worker(src, {eval: true})`:
// a worker cannot load our .ts files under every runner (tsx, vitest, a bundle), and this needs nothing of ours.
// It loads its own tfjs-core + tfjs-backend-wasm (its own wasm heap and XNNPACK) and then serves jobs described in
// a shared Int32Array, parked in Atomics.wait between jobs: no message round trip per product.
//
// Job layout in the shared Float32Array `data`: A (m×k) at 0, B (k×n) after it, bias (n, optional) after that, and
// the output (m×n) last. Slot meanings are in CTRL below (shared with mat-mul-pool.ts).

export const CTRL = {
  /** Bumped by the main thread for each job; the worker waits on it. */
  SEQ: 0,
  /** Set by the worker to the SEQ it finished; the main thread waits on it. */
  DONE: 1,
  /** 1 once the worker's wasm backend is up. */
  READY: 2,
  /** 0 = run a product, 1 = exit. */
  CMD: 3,
  M: 4,
  K: 5,
  N: 6,
  /** 1 when a bias vector follows B. */
  HAS_BIAS: 7,
  /** Index into ACTIVATIONS (0 = none: plain BatchMatMul). */
  ACTIVATION: 8,
  /** Generation of the data buffer the main thread wants used (a new one arrives by postMessage). */
  BUFFER_GEN: 9,
  /** Set by the worker when the job failed (the main thread then computes it alone). */
  ERROR: 10,
  /** leakyrelu alpha, as float32 bits. */
  ALPHA_BITS: 11,
  SIZE: 12,
} as const;

export const ACTIVATIONS = [null, 'linear', 'relu', 'relu6', 'elu', 'sigmoid', 'leakyrelu'] as const;

export const MAT_MUL_WORKER_SOURCE = `
'use strict';
const { workerData, parentPort, receiveMessageOnPort } = require('node:worker_threads');
const C = workerData.ctrlSlots;
const ACTIVATIONS = workerData.activations;
const ctrl = new Int32Array(workerData.ctrl);
const alphaView = new Float32Array(workerData.ctrl, C.ALPHA_BITS * 4, 1);
let data = new Float32Array(workerData.data);
let gen = 0;
// Silence tfjs's console advice about tfjs-node: this thread has nothing to say.
console.warn = () => {};
console.log = () => {};
const tf = require(workerData.tfjsCore);
require(workerData.tfjsBackendWasm);

function finish(seq, error) {
  Atomics.store(ctrl, C.ERROR, error ? 1 : 0);
  Atomics.store(ctrl, C.DONE, seq);
  Atomics.notify(ctrl, C.DONE);
}

function run(backend, kernels) {
  const m = ctrl[C.M], k = ctrl[C.K], n = ctrl[C.N];
  const act = ACTIVATIONS[ctrl[C.ACTIVATION]];
  const hasBias = ctrl[C.HAS_BIAS] === 1;
  const a = backend.makeOutput([1, m, k], 'float32');
  const b = backend.makeOutput([1, k, n], 'float32');
  const bias = hasBias ? backend.makeOutput([n], 'float32') : null;
  const made = [a, b];
  if (bias) made.push(bias);
  try {
    // Views after all allocations: heap growth detaches older ones.
    backend.typedArrayFromHeap(a).set(data.subarray(0, m * k));
    backend.typedArrayFromHeap(b).set(data.subarray(m * k, m * k + k * n));
    let offset = m * k + k * n;
    if (bias) {
      backend.typedArrayFromHeap(bias).set(data.subarray(offset, offset + n));
      offset += n;
    }
    const attrs = { transposeA: false, transposeB: false };
    let out;
    if (act == null) {
      out = kernels.matMul({ inputs: { a, b }, backend, attrs });
    } else {
      attrs.activation = act;
      attrs.leakyreluAlpha = alphaView[0];
      const inputs = bias ? { a, b, bias } : { a, b };
      out = kernels.fused({ inputs, backend, attrs });
    }
    made.push(out);
    data.set(backend.typedArrayFromHeap(out).subarray(0, m * n), offset);
  } finally {
    for (const t of made) backend.disposeData(t.dataId, true);
  }
}

(async () => {
  await tf.setBackend('wasm');
  await tf.ready();
  const backend = tf.backend();
  const kernels = {
    matMul: tf.getKernel('BatchMatMul', 'wasm').kernelFunc,
    fused: tf.getKernel('_FusedMatMul', 'wasm').kernelFunc,
  };
  Atomics.store(ctrl, C.READY, 1);
  Atomics.notify(ctrl, C.READY);
  let seen = Atomics.load(ctrl, C.SEQ);
  for (;;) {
    Atomics.wait(ctrl, C.SEQ, seen);
    const seq = Atomics.load(ctrl, C.SEQ);
    if (seq === seen) continue;
    seen = seq;
    if (ctrl[C.CMD] === 1) break;
    let failed = false;
    try {
      const want = ctrl[C.BUFFER_GEN];
      while (gen !== want) {
        const msg = receiveMessageOnPort(parentPort);
        if (msg === undefined) throw new Error('data buffer ' + want + ' not received');
        data = new Float32Array(msg.message.buffer);
        gen = msg.message.gen;
      }
      run(backend, kernels);
    } catch (e) {
      failed = true;
    }
    finish(seq, failed);
  }
  Atomics.store(ctrl, C.READY, 0);
})().catch(() => {
  Atomics.store(ctrl, C.READY, 0);
});
`;
