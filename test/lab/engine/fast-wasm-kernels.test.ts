// The fast kernels on tfjs-wasm's stock single-threaded build (see fast-wasm-kernels-suite.ts).
import { fastKernelSuite } from './fast-wasm-kernels-suite.ts';

fastKernelSuite(1);
