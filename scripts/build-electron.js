// Bundles the Electron entry points: main and trainer as ESM, the sandboxed preload as CommonJS.
// npm packages stay external (native addons and tfjs's wasm files are loaded from node_modules).
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const common = { bundle: true, platform: 'node', target: 'node20', packages: 'external', sourcemap: true, logLevel: 'warning', absWorkingDir: root };

export async function buildElectron() {
  await Promise.all([
    build({ ...common, entryPoints: ['src-main/electron/main.ts'], outfile: 'dist-electron/main.mjs', format: 'esm' }),
    build({ ...common, entryPoints: ['src-main/lab/training/trainer-main.ts'], outfile: 'dist-electron/trainer.mjs', format: 'esm' }),
    // The preload runs sandboxed: CommonJS, and only 'electron' may stay external.
    build({ ...common, packages: undefined, external: ['electron'], entryPoints: ['src-main/electron/preload.ts'], outfile: 'dist-electron/preload.cjs', format: 'cjs' }),
  ]);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildElectron();
