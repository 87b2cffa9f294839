export { installFastWasmKernels, uninstallFastWasmKernels, fastWasmKernelsInstalled } from './install-fast-wasm-kernels.ts';
export type { FastKernelsReport, FastKernelReplacement } from './install-fast-wasm-kernels.ts';
