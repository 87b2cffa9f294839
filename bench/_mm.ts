import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { loadBackend, realEnvironment } from '../src-main/lab/engine/backends.ts';
import { installFastWasmKernels, uninstallFastWasmKernels } from '../src-main/lab/engine/wasm-kernels/index.ts';
const threads = Number(process.argv[2] ?? 2);
const { report } = await loadBackend('wasm', realEnvironment, { wasmThreads: threads });
console.log(report.detail);
const x = tf.randomNormal([128, 784]);
const dy = tf.randomNormal([128, 512]);
const w0 = tf.randomNormal([784, 512]);
const s = tf.scalar(0.5);
function time(label: string, f: () => tf.Tensor) {
  for (let i = 0; i < 10; i++) f().dispose();
  const n = 100; let t = 0;
  for (let i = 0; i < n; i++) { const t0 = performance.now(); const r = f(); t += performance.now() - t0; r.dispose(); }
  console.log(label.padEnd(40), (t / n).toFixed(3), 'ms');
}
for (let rep = 0; rep < 2; rep++)
for (const mode of ['fast', 'stock']) {
  if (mode === 'fast') installFastWasmKernels(tf); else uninstallFastWasmKernels(tf);
  time(`${mode} new W only`, () => tf.mul(w0, s));
  time(`${mode} x·W (new W)`, () => tf.tidy(() => tf.matMul(x, tf.mul(w0, s))));
  time(`${mode} x·W (same W)`, () => tf.matMul(x, w0));
  if (mode === 'fast') time(`${mode} xT·dy`, () => tf.matMul(x, dy, true, false));
  time(`${mode} transpose W`, () => tf.transpose(w0));
  time(`${mode} transpose x`, () => tf.transpose(x));
}
process.exit(0);
