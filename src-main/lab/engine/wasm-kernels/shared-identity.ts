// Identity for the wasm backend that shares the input's buffer (a reference count) instead of copying it.
//
// Stock tfjs-backend-wasm copies the whole tensor; autodiff and the optimizer call Identity on every weight and
// activation each step (a 1.6 MB copy for the seed's first kernel). tfjs's cpu backend, and the wasm backend's own
// Reshape, share the buffer the same way: tensors are immutable, and a buffer is freed when its last reference goes.
import type { KernelArgs, KernelFn, TensorInfo, WasmBackendLike } from './wasm-backend.ts';

export function makeSharedIdentity(original: KernelFn): KernelFn {
  return (args: KernelArgs) => {
    const x = args.inputs['x'];
    if (x == null || x.dtype === 'string') return original(args);
    (args.backend as WasmBackendLike).incRef(x.dataId);
    const out: TensorInfo = { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
    return out;
  };
}
