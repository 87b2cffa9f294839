// Registers Layerlab's fast kernels on tfjs's wasm backend, in place of the stock ones (kernel registration is
// global to the process). Idempotent; leaves every other backend alone.
import { makeFastBatchMatMul, makeFastFusedMatMul } from './fast-batch-mat-mul.ts';
import { makeFastSlice } from './fast-slice.ts';
import { makeFastTile } from './fast-tile.ts';
import { makeAvgPoolGrad } from './avg-pool-grad.ts';
import { makeSharedIdentity } from './shared-identity.ts';
import { makeConv2DBackpropFilter, makeConv2DBackpropInput } from './conv2d-backprop.ts';
import { CONV_POOL_GRAD, makeConvPoolGrad } from './conv-pool-backward.ts';
import { DROPOUT_MULTIPLIER, makeDropoutMultiplier } from './dropout-kernel.ts';
import { simdKernelsStatus } from './simd/simd-kernels.ts';
import { MAX_POOL_GRAD_BIAS, makeMaxPoolGrad, makeMaxPoolGradBias } from './max-pool-grad.ts';
import { ACTIVATION_FORWARD, ACTIVATION_GRAD, makeActivationForward, makeActivationGrad } from './activation-kernels.ts';
import { BATCH_NORM_GRAD, BATCH_NORM_TRAIN, makeBatchNormGrad, makeBatchNormTrain } from './batch-norm.ts';
import { startHeapHelper, stopHeapHelper } from './heap-helper-thread.ts';
import { makeLeadingAxesSum } from './leading-axes-sum.ts';
import { FAST_KERNEL_MARK, ORIGINAL_KERNEL } from './wasm-backend.ts';
import type { KernelFn, Tf } from './wasm-backend.ts';

const BACKEND = 'wasm';

export interface FastKernelReplacement {
  kernel: string;
  why: string;
}

export interface FastKernelsReport {
  backend: typeof BACKEND;
  /** True when the fast kernels are registered after this call (now or by an earlier call). */
  active: boolean;
  /** True when an earlier call had already installed them (this call changed nothing). */
  alreadyInstalled: boolean;
  replaced: FastKernelReplacement[];
  /** Why nothing was installed, when `active` is false. */
  reason?: string;
  /** Whether the hand-written SIMD kernels run on this backend's heap, and if not why (simdKernelsStatus). */
  simd?: string;
}

type KernelConfig = ReturnType<Tf['getKernel']> & object;
type MarkedConfig = KernelConfig & { [FAST_KERNEL_MARK]?: true; [ORIGINAL_KERNEL]?: KernelConfig };

interface FastKernelSpec {
  kernel: string;
  why: string;
  make(tf: Tf, original: KernelFn): KernelFn;
}

function stockKernel(tf: Tf, name: string): KernelConfig | undefined {
  const k = tf.getKernel(name, BACKEND) as MarkedConfig | undefined;
  if (k == null) return undefined;
  return k[ORIGINAL_KERNEL] ?? k;
}

function transposeKernel(tf: Tf): KernelFn {
  const k = stockKernel(tf, 'Transpose');
  if (k == null) throw new Error('wasm Transpose kernel missing');
  return k.kernelFunc as unknown as KernelFn;
}

const SPECS: FastKernelSpec[] = [
  {
    kernel: 'BatchMatMul',
    why: 'transposed operands and batch dims reach XNNPACK (stock: scalar loop); batch dims broadcast correctly',
    make: (tf, original) => makeFastBatchMatMul(original, transposeKernel(tf)),
  },
  {
    kernel: '_FusedMatMul',
    why: 'transposed operands reach XNNPACK (stock: scalar loop)',
    make: (tf, original) => makeFastFusedMatMul(original, transposeKernel(tf)),
  },
  {
    kernel: 'Slice',
    why: 'copies only the sliced region (stock: copies the whole source tensor out of the heap on every call)',
    make: (tf, original) => makeFastSlice(tf, original),
  },
  {
    kernel: 'Identity',
    why: 'shares the input buffer (stock: copies the whole tensor, several times per training step)',
    make: (_tf, original) => makeSharedIdentity(original),
  },
  {
    kernel: 'Conv2DBackpropInput',
    why: 'lowered to one XNNPACK matrix product + col2im (stock: scalar loop)',
    make: (tf) => makeConv2DBackpropInput(tf),
  },
  {
    kernel: 'MaxPoolGrad',
    why: 'one pass over the windows, channels together (stock: re-scans every window per input pixel)',
    make: (tf) => makeMaxPoolGrad(tf),
  },
  {
    kernel: 'Sum',
    why: 'sums over leading axes (every bias gradient) in one pass (stock: transposes a full copy first)',
    make: (tf, original) => makeLeadingAxesSum(tf, original),
  },
  {
    kernel: 'Mean',
    why: 'means over leading axes (batch normalization\'s statistics) in one pass (stock: transposes a full copy first)',
    make: (tf, original) => makeLeadingAxesSum(tf, original, true),
  },
  {
    kernel: 'AvgPoolGrad',
    why: 'one pass over the windows, channels together, shared with the helper thread (stock: ~10× slower on a Small CNN\'s pools)',
    make: (tf) => makeAvgPoolGrad(tf),
  },
  {
    kernel: 'Tile',
    why: 'block copies (stock: an index computation per element; batch normalization\'s gradient tiles every activation)',
    make: (_tf, original) => makeFastTile(original),
  },
];

/** Kernels stock tfjs-backend-wasm lacks (training falls over without them); added, and left in place on uninstall. */
const MISSING: { kernel: string; why: string; make(tf: Tf): KernelFn }[] = [
  {
    kernel: 'Conv2DBackpropFilter',
    why: 'missing on stock wasm, so conv2d layers could not be trained there (added: a SIMD kernel; im2col + one XNNPACK matrix product without it)',
    make: (tf) => makeConv2DBackpropFilter(tf),
  },
  {
    kernel: BATCH_NORM_TRAIN,
    why: "batch normalization's training forward (moments, normalize, scale, shift) in two SIMD passes (tf ops: a dozen broadcast kernels)",
    make: () => makeBatchNormTrain(),
  },
  {
    kernel: BATCH_NORM_GRAD,
    why: "batch normalization's backward in two SIMD passes (tf ops: a dozen broadcast kernels)",
    make: () => makeBatchNormGrad(),
  },
  {
    kernel: MAX_POOL_GRAD_BIAS,
    why: "a max pool's gradient with the relu conv layer's derivative and bias gradient below it, in one SIMD pass (three passes without it)",
    make: (tf) => makeMaxPoolGradBias(tf),
  },
  {
    kernel: CONV_POOL_GRAD,
    why: 'the backward pass of a stride-1 conv (relu or linear) under a 2×2 max pool in one sparse SIMD pass: each window\'s gradient applied where it lands (a dense mostly-zero gradient and two convolutions over it without it)',
    make: (tf) => makeConvPoolGrad(tf),
  },
  {
    kernel: DROPOUT_MULTIPLIER,
    why: "tf.dropout's multiplier made on the heap in one wasm pass, bit for bit tfjs's (a JS loop and a copy without it)",
    make: () => makeDropoutMultiplier(),
  },
  {
    kernel: ACTIVATION_FORWARD,
    why: 'elu and selu in one SIMD pass (stock Selu: a scalar loop)',
    make: () => makeActivationForward(),
  },
  {
    kernel: ACTIVATION_GRAD,
    why: 'the derivatives of elu, selu, softplus, tanh, sigmoid and softsign in one SIMD pass (tf ops: two to five kernels, Exp, Greater and Select scalar)',
    make: () => makeActivationGrad(),
  },
];

export function fastWasmKernelsInstalled(tf: Tf): boolean {
  const k = tf.getKernel('BatchMatMul', BACKEND) as MarkedConfig | undefined;
  return k?.[FAST_KERNEL_MARK] === true;
}

/** Installs the fast kernels (idempotent). Threads are the backend's business (see wasm-threads/). */
export function installFastWasmKernels(tf: Tf): FastKernelsReport {
  const replaced = [...SPECS, ...MISSING].map(({ kernel, why }) => ({ kernel, why }));
  if (tf.getKernel('BatchMatMul', BACKEND) == null) {
    return { backend: BACKEND, active: false, alreadyInstalled: false, replaced: [], reason: 'the wasm backend is not loaded (import @tensorflow/tfjs-backend-wasm)' };
  }
  if (fastWasmKernelsInstalled(tf)) {
    startHelperThread(tf);
    return { backend: BACKEND, active: true, alreadyInstalled: true, replaced, simd: simdKernelsStatus(tf.findBackend(BACKEND)) };
  }
  const done: FastKernelReplacement[] = [];
  for (const spec of MISSING) {
    if (tf.getKernel(spec.kernel, BACKEND) != null) continue;
    const added: MarkedConfig = { kernelName: spec.kernel, backendName: BACKEND, kernelFunc: spec.make(tf) as unknown as KernelConfig['kernelFunc'], [FAST_KERNEL_MARK]: true };
    tf.registerKernel(added);
    done.push({ kernel: spec.kernel, why: spec.why });
  }
  for (const spec of SPECS) {
    const original = tf.getKernel(spec.kernel, BACKEND) as MarkedConfig | undefined;
    if (original == null || original[FAST_KERNEL_MARK] === true) continue;
    const fast: MarkedConfig = {
      kernelName: spec.kernel,
      backendName: BACKEND,
      kernelFunc: spec.make(tf, original.kernelFunc as unknown as KernelFn) as unknown as KernelConfig['kernelFunc'],
      [FAST_KERNEL_MARK]: true,
      [ORIGINAL_KERNEL]: original,
    };
    // The stock setup (cwrap of the C++ entry point) still feeds the stock function we call into.
    if (original.setupFunc != null) fast.setupFunc = original.setupFunc;
    tf.unregisterKernel(spec.kernel, BACKEND);
    tf.registerKernel(fast);
    done.push({ kernel: spec.kernel, why: spec.why });
  }
  startHelperThread(tf);
  return { backend: BACKEND, active: true, alreadyInstalled: false, replaced: done, simd: simdKernelsStatus(tf.findBackend(BACKEND)) };
}

/** Starts the heap helper thread when the wasm backend is up and its heap is shared (the threaded build). */
function startHelperThread(tf: Tf): void {
  const backend = tf.findBackend(BACKEND);
  if (backend != null) startHeapHelper(backend);
}

/** Puts the stock kernels back (used by tests that compare fast and stock paths in one process). */
export function uninstallFastWasmKernels(tf: Tf): string[] {
  stopHeapHelper();
  const restored: string[] = [];
  for (const spec of SPECS) {
    const k = tf.getKernel(spec.kernel, BACKEND) as MarkedConfig | undefined;
    const original = k?.[ORIGINAL_KERNEL];
    if (k == null || original == null) continue;
    tf.unregisterKernel(spec.kernel, BACKEND);
    tf.registerKernel(original);
    restored.push(spec.kernel);
  }
  return restored;
}
