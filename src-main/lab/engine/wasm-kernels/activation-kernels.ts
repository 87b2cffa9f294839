// Hidden activations and their derivatives as wasm kernels under Layerlab's own names, one SIMD pass each
// (simd/activations.wat), the elements split with the heap helper thread. training/activations.ts runs them where
// simdActivationAvailable says so and otherwise the tf ops they replace: stock tfjs-backend-wasm's Selu, Exp, Greater
// and Select are scalar loops — on the Small CNN with elu/selu/softplus they were a fifth of a training step.
//   LayerlabActivation      x → f(x)                 for elu, selu
//   LayerlabActivationGrad  dy, y = f(x), x → dy·f′   for elu, selu, softplus, tanh, sigmoid, softsign, relu
import { registerHeapTasks, runOnHeap } from './heap-helper-thread.ts';
import { simdKernelsOf, type SimdKernels } from './simd/simd-kernels.ts';
import type { KernelArgs, KernelFn, Tf, TensorInfo, WasmBackendLike } from './wasm-backend.ts';

export const ACTIVATION_FORWARD = 'LayerlabActivation';
export const ACTIVATION_GRAD = 'LayerlabActivationGrad';

/** The kernel's code for each activation it computes (forward: elu and selu only). */
const FORWARD_KINDS: Record<string, number> = { elu: 1, selu: 2 };
const GRAD_KINDS: Record<string, number> = { elu: 1, selu: 2, softplus: 3, tanh: 4, sigmoid: 5, softsign: 6, relu: 7 };

/** The kernel works four elements at a time over at least four. */
const MIN_ELEMENTS = 4;

/** True when the active backend runs `activation`'s forward (or, with `grad`, its derivative) on a tensor of `size`. */
export function simdActivationAvailable(tf: Tf, activation: string, size: number, grad: boolean): boolean {
  const kinds = grad ? GRAD_KINDS : FORWARD_KINDS;
  return kinds[activation] != null && size >= MIN_ELEMENTS && tf.getBackend() === 'wasm' && tf.getKernel(grad ? ACTIVATION_GRAD : ACTIVATION_FORWARD, 'wasm') != null && simdKernelsOf(tf.backend()) != null;
}

/**
 * The elements a share covers: [0, n) whole, or its half (at a multiple of four) when the pass is split in two units.
 * arrays end with the output; params: kind, n, units. A heap task: self-contained.
 */
export function activationShare(arrays: Float32Array[], params: Int32Array, begin: number, end: number, simd: SimdKernels | null): void {
  if (simd == null) throw new Error('activationShare needs the SIMD kernels');
  const [kind = 0, n = 0, units = 1] = params;
  const mid = (n >> 3) << 2;
  const from = begin === 0 ? 0 : mid;
  const to = end === units ? n : mid;
  const offsets = arrays.map((a) => a.byteOffset + 4 * from);
  const [a = 0, b = 0, c = 0, d = 0] = offsets;
  if (arrays.length === 2) simd.activation_forward(kind, a, b, to - from);
  else simd.activation_grad(kind, a, b, c, d, to - from);
}

registerHeapTasks(activationShare);

function run(backend: WasmBackendLike, kind: number, inputs: TensorInfo[], shape: number[]): TensorInfo {
  const simd = simdKernelsOf(backend);
  if (simd == null) throw new Error('the activation kernels need the SIMD kernels (see simdActivationAvailable)');
  const out = backend.makeOutput([...shape], 'float32');
  const n = shape.reduce((a, b) => a * b, 1);
  if (n < MIN_ELEMENTS) throw new Error(`the activation kernels need at least ${MIN_ELEMENTS} elements, got ${n}`);
  const views = [...inputs, out].map((t) => backend.typedArrayFromHeap(t) as Float32Array); // after the allocation
  const units = n >= 16 ? 2 : 1;
  runOnHeap(activationShare, views, [kind, n, units], units, n, 1, simd);
  return out;
}

function kindOf(kinds: Record<string, number>, args: KernelArgs, kernel: string): number {
  const activation = String(args.attrs?.['activation']);
  const kind = kinds[activation];
  if (kind == null) throw new Error(`${kernel}: no kernel for activation ${activation}`);
  return kind;
}

export function makeActivationForward(): KernelFn {
  return (args: KernelArgs) => {
    const x = args.inputs['x'] as TensorInfo;
    return run(args.backend as WasmBackendLike, kindOf(FORWARD_KINDS, args, ACTIVATION_FORWARD), [x], x.shape);
  };
}

export function makeActivationGrad(): KernelFn {
  return (args: KernelArgs) => {
    const { dy, y, x } = args.inputs as Record<string, TensorInfo>;
    if (dy == null || y == null || x == null) throw new Error(`${ACTIVATION_GRAD}: dy, y and x are needed`);
    return run(args.backend as WasmBackendLike, kindOf(GRAD_KINDS, args, ACTIVATION_GRAD), [dy, y, x], dy.shape);
  };
}
