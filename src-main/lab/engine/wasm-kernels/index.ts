export {
  installFastWasmKernels,
  uninstallFastWasmKernels,
  fastWasmKernelsInstalled,
  fastWasmMatMulPool,
  defaultThreads,
  MAX_THREADS,
} from './install-fast-wasm-kernels.ts';
export type { FastKernelsReport, FastKernelReplacement, FastKernelsOptions } from './install-fast-wasm-kernels.ts';
export type { PoolStats } from './mat-mul-pool.ts';
