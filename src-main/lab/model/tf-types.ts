// The tfjs module type. Whatever backend runs, the API is the one of @tensorflow/tfjs.
import type * as tfjs from '@tensorflow/tfjs';

export type Tf = typeof tfjs;
export type { LayersModel, Tensor, Tensor2D, Scalar, Optimizer } from '@tensorflow/tfjs';
