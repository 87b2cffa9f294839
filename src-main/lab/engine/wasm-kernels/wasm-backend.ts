// The slice of tfjs-backend-wasm's BackendWasm that our kernels use, typed structurally so we need no deep import.
import type * as tfType from '@tensorflow/tfjs';

export type Tf = typeof tfType;
export type TensorInfo = tfType.TensorInfo;
export type DataType = tfType.DataType;

export interface WasmTensorData {
  id: number;
  memoryOffset: number;
  shape: number[];
  dtype: DataType;
  refCount: number;
}

export interface WasmBackendLike {
  dataIdMap: { get(dataId: object): WasmTensorData | undefined };
  makeOutput(shape: number[], dtype: DataType): TensorInfo;
  typedArrayFromHeap(info: TensorInfo): Float32Array | Int32Array | Uint8Array;
  disposeData(dataId: object, force?: boolean): boolean;
  incRef(dataId: object): void;
}

/** What a kernel function receives from the engine. */
export interface KernelArgs {
  inputs: Record<string, TensorInfo | undefined>;
  backend: unknown;
  attrs?: Record<string, unknown>;
}

export type KernelFn = (args: KernelArgs) => TensorInfo | TensorInfo[];

export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** A view of an existing tensor's data under another shape of the same size (no copy, no new refcount). */
export function reshapedInfo(info: TensorInfo, shape: number[]): TensorInfo {
  return { dataId: info.dataId, shape, dtype: info.dtype };
}

/** A kernel we registered, found again through this marker so that installing twice is a no-op. */
export const FAST_KERNEL_MARK = '__layerlabFastKernel';

/** The original (stock) kernel a fast kernel wraps, kept on the registered config. */
export const ORIGINAL_KERNEL = '__layerlabOriginalKernel';
