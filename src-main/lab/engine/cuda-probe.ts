// tfjs-node-gpu needs CUDA 11.2 + cuDNN 8.1 exactly; without them it either fails to load or,
// worse, runs on the CPU. We look for the libraries first so the reason can be named.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const REQUIRED_CUDA_LIBRARIES = ['libcudart.so.11.0', 'libcudnn.so.8', 'libcublas.so.11'] as const;

function ldconfigLibraries(): string {
  try {
    return execFileSync('ldconfig', ['-p'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 3000 });
  } catch {
    return '';
  }
}

/** The required CUDA libraries that cannot be found (Linux only; elsewhere tfjs-node-gpu's own load error tells). */
export function missingCudaLibraries(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string[] {
  if (platform !== 'linux') return [];
  const cache = ldconfigLibraries();
  const dirs = (env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean);
  dirs.push('/usr/local/cuda/lib64', '/usr/local/cuda-11.2/lib64');
  return REQUIRED_CUDA_LIBRARIES.filter((lib) => !cache.includes(lib) && !dirs.some((d) => existsSync(join(d, lib))));
}
