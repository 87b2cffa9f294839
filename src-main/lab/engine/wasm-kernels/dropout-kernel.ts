// tf.dropout's multiplier made on the wasm heap in one pass (simd/dropout.wat), registered under Layerlab's own name;
// dense-stack-step.ts runs it where dropoutKernelAvailable says so, else the JS loop of training/dropout-mask.ts:
//
//   LayerlabDropoutMultiplier  (no inputs); attrs: shape, keep, scale, state → the multiplier, bit for bit tfjs's
//     (keep, scale and Alea's seeded state as dropout-mask.ts's dropoutDraw gives them)
//
// Why: the JS loop runs ~20 ns a value (its float32 roundings and a 50/50 branch beside Alea's serial chain), then
// tf.tensor copies the mask onto the heap: ~4 ms a step for Keras' mnist_convnet (128×1600), a tenth of the step.
import { simdKernelsOf } from './simd/simd-kernels.ts';
import { sizeOf } from './wasm-backend.ts';
import type { KernelArgs, KernelFn, Tf, WasmBackendLike } from './wasm-backend.ts';

export const DROPOUT_MULTIPLIER = 'LayerlabDropoutMultiplier';

/** True when the active backend makes dropout multipliers by the kernel (wasm with the SIMD kernels' modules). */
export function dropoutKernelAvailable(tf: Tf): boolean {
  return tf.getBackend() === 'wasm' && tf.getKernel(DROPOUT_MULTIPLIER, 'wasm') != null && simdKernelsOf(tf.backend()) != null;
}

export function makeDropoutMultiplier(): KernelFn {
  return (args: KernelArgs) => {
    const backend = args.backend as WasmBackendLike;
    const simd = simdKernelsOf(backend);
    if (simd == null) throw new Error(`${DROPOUT_MULTIPLIER} needs the SIMD kernels' modules (see dropoutKernelAvailable)`);
    const { shape, keep, scale, state } = (args.attrs ?? {}) as { shape?: number[]; keep?: number; scale?: number; state?: number[] };
    if (shape == null || keep == null || scale == null || state?.length !== 3) throw new Error(`${DROPOUT_MULTIPLIER}: the attributes shape, keep, scale and state (three numbers) are needed`);
    const [s0 = 0, s1 = 0, s2 = 0] = state;
    const out = backend.makeOutput([...shape], 'float32');
    const view = backend.typedArrayFromHeap(out) as Float32Array;
    simd.dropout_multiplier(view.byteOffset, sizeOf(shape), keep, scale, s0, s1, s2);
    return out;
  };
}
