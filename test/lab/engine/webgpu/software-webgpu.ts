// Test helper: tfjs on Dawn's software adapter (Mesa llvmpipe over OpenGL ES), the way CI runs WebGPU without a GPU.
import * as tf from '@tensorflow/tfjs';
import { WEBGPU_ALLOW_SOFTWARE_VARIABLE } from '../../../../src-shared/index.ts';
import { loadBackend, realEnvironment, type LoadedBackend } from '../../../../src-main/lab/engine/backends.ts';
import { releaseWebGpu } from '../../../../src-main/lab/engine/webgpu/webgpu-backend.ts';

/** Loads webgpu with software adapters allowed (as `LAYERLAB_WEBGPU_ALLOW_SOFTWARE=1 --backend webgpu` does). */
export async function loadSoftwareWebGpu(): Promise<LoadedBackend> {
  process.env[WEBGPU_ALLOW_SOFTWARE_VARIABLE] = '1';
  try {
    return await loadBackend('webgpu', realEnvironment);
  } finally {
    delete process.env[WEBGPU_ALLOW_SOFTWARE_VARIABLE];
  }
}

/** Frees the device so the test worker can exit. */
export async function releaseSoftwareWebGpu(): Promise<void> {
  await tf.setBackend('cpu');
  releaseWebGpu(tf as never);
}
