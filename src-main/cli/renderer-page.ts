// The page `layerlab serve` shows (dist/renderer). Right after `npm install` it is not built yet:
// it is built here from src-renderer, as `npm start` does, so serve works without a manual step.
// A copy without the sources (nothing to build from) says what is missing instead.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from './cli-error.ts';

const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const RENDERER_DIR = join(PROJECT_ROOT, 'dist', 'renderer');
const RENDERER_SOURCE_DIR = join(PROJECT_ROOT, 'src-renderer');
const OUTPUT_TAIL = 2000;

export interface PageBuild {
  /** The built page: index.html and its assets. */
  pageDir: string;
  /** The page's sources: index.html and the Svelte app. */
  sourceDir: string;
  /** Builds sourceDir into pageDir; ok false with what the build said. */
  build(): { ok: boolean; output: string };
}

/** vite build, as `npm run build:renderer` runs it (vite is a devDependency of a source checkout). */
function viteBuild(): { ok: boolean; output: string } {
  const vite = join(PROJECT_ROOT, 'node_modules', 'vite', 'bin', 'vite.js');
  if (!existsSync(vite)) return { ok: false, output: `vite is not installed (${vite}); run npm install` };
  const result = spawnSync(process.execPath, [vite, 'build', '--logLevel', 'warn'], { cwd: PROJECT_ROOT, encoding: 'utf8' });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}${result.error ? result.error.message : ''}`.trim();
  return { ok: result.status === 0, output };
}

export const SOURCE_CHECKOUT: PageBuild = { pageDir: RENDERER_DIR, sourceDir: RENDERER_SOURCE_DIR, build: viteBuild };

/** Builds the page if it is missing; a page already there is used as it is. */
export function ensurePage(page: PageBuild, log: (line: string) => void): void {
  if (existsSync(join(page.pageDir, 'index.html'))) return;
  if (!existsSync(join(page.sourceDir, 'index.html'))) {
    throw new UsageError(`the app's page is missing (${page.pageDir}) and there are no sources to build it from (${page.sourceDir}); reinstall Layerlab`);
  }
  log("Building the app's page (once, after install)…");
  const { ok, output } = page.build();
  if (!ok || !existsSync(join(page.pageDir, 'index.html'))) {
    throw new UsageError(`could not build the app's page (npm run build:renderer says: ${output.slice(-OUTPUT_TAIL) || 'nothing'})`);
  }
}
