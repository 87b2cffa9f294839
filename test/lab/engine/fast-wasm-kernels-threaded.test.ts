// The fast kernels on tfjs-wasm's threaded build, 2 threads (see fast-wasm-kernels-suite.ts): XNNPACK splits the
// products across threads, and the results must still match the cpu reference.
import { fastKernelSuite } from './fast-wasm-kernels-suite.ts';

fastKernelSuite(2);
