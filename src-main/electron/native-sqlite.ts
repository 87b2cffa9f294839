// better-sqlite3 is a V8 addon: Electron needs a build for its own ABI, while the CLI and tests
// use the Node build in node_modules. The Electron build is made by `npm start` under plain Node
// (scripts/start.js), never inside Electron: there `process.execPath` is Electron and the build
// tools cannot run. It lives in its own folder (node_modules/.cache/layerlab), loaded through
// better-sqlite3's nativeBinding option, so the Node build is never touched.
//
// The order: a cached build for this Electron version; else Electron's prebuilt binary
// (prebuild-install, seconds, needs GitHub); else a compile from source (@electron/rebuild,
// minutes, needs Electron's headers, Python and a C++ toolchain). Each result is checked: a
// binary that loads in this Node is a Node build (a step that quietly fell back to Node's
// headers), and would crash Electron later with an ABI mismatch.
// No electron import here: scripts/start.js runs it under Node, main.ts uses checkedBinding.
import { cpSync, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';

export class NativeModuleError extends Error {
  override name = 'NativeModuleError';
}

/** Where the Electron build of better-sqlite3 is kept for one Electron version. */
export function electronBindingPath(cacheDir: string, electronVersion: string, platform = process.platform, arch = process.arch): string {
  return join(cacheDir, `better-sqlite3-electron-${electronVersion}-${platform}-${arch}`, 'better_sqlite3.node');
}

/** The two ways to get a binary into a copy of the better-sqlite3 package (`moduleDir`). */
export interface SqliteBuildSteps {
  /** Downloads Electron's prebuilt binary into moduleDir/build/Release (prebuild-install). */
  prebuild(moduleDir: string, electronVersion: string): Promise<void>;
  /** Compiles it from source against Electron's headers (@electron/rebuild). */
  compile(moduleDir: string, electronVersion: string): Promise<void>;
}

export type PrepareProgress = (message: string) => void;

const firstLine = (error: unknown) => (error instanceof Error ? error.message : String(error)).split('\n')[0]?.trim() ?? '';
const RELEASE_BINARY = join('build', 'Release', 'better_sqlite3.node');

/**
 * Returns the path of a better-sqlite3 binary for this Electron version, making it when the
 * cache has none. `moduleDir` is node_modules/better-sqlite3 (copied, never modified);
 * `progress` hears one line per slow step, for the window that shows it.
 */
export async function prepareElectronSqlite(options: {
  cacheDir: string;
  electronVersion: string;
  moduleDir: string;
  steps: SqliteBuildSteps;
  /** True when the binary loads in this (plain Node) process, i.e. it is not Electron's. */
  loadsInNode: (binary: string) => boolean;
  progress?: PrepareProgress;
}): Promise<{ binding: string; made: 'cached' | 'prebuilt' | 'compiled' }> {
  const { cacheDir, electronVersion, moduleDir, steps, loadsInNode } = options;
  const progress = options.progress ?? (() => {});
  const target = electronBindingPath(cacheDir, electronVersion);
  if (existsSync(target)) return { binding: target, made: 'cached' };
  const buildDir = join(moduleDir, 'build');
  const work = join(cacheDir, `work-${process.pid}`);
  const workModule = join(work, 'node_modules', 'better-sqlite3');

  /** Runs one step in a fresh copy; the reason it gave nothing usable, or null on success. */
  const attempt = async (step: (dir: string, version: string) => Promise<void>): Promise<string | null> => {
    rmSync(work, { recursive: true, force: true });
    mkdirSync(dirname(workModule), { recursive: true });
    // Without the old binary, so a step that does nothing cannot pass for one that worked.
    cpSync(moduleDir, workModule, { recursive: true, filter: (source) => source !== buildDir && !source.startsWith(buildDir + sep) });
    try {
      await step(workModule, electronVersion);
    } catch (error) {
      return firstLine(error) || 'it failed';
    }
    const built = join(workModule, RELEASE_BINARY);
    if (!existsSync(built)) return 'it produced no binary';
    if (loadsInNode(built)) return "it produced a build for Node, not Electron";
    mkdirSync(dirname(target), { recursive: true });
    // Rename within the cache folder: a half-written binary never sits at the target path.
    renameSync(built, `${target}.partial`);
    renameSync(`${target}.partial`, target);
    return null;
  };

  try {
    progress(`Downloading SQLite for Electron ${electronVersion}…`);
    const prebuildProblem = await attempt(steps.prebuild);
    if (prebuildProblem === null) return { binding: target, made: 'prebuilt' };
    progress(`No prebuilt SQLite (${prebuildProblem}). Compiling it from source; this takes a few minutes…`);
    const compileProblem = await attempt(steps.compile);
    if (compileProblem === null) return { binding: target, made: 'compiled' };
    throw new NativeModuleError(
      `could not prepare better-sqlite3 for Electron ${electronVersion}: no prebuilt binary (${prebuildProblem}) and the compile failed (${compileProblem}). ` +
        'The prebuilt one needs github.com; a compile needs Electron\'s headers from electronjs.org, Python 3 and a C++ toolchain. ' +
        'Meanwhile "npx layerlab serve --open" runs the same app in your browser.',
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** Loads a binary in this process (main.ts passes require); one that does not load is removed
 *  when `removeIfBroken`, so the next `npm start` prepares it again. */
export function checkedBinding(binding: string, electronVersion: string, verify: (binding: string) => void, removeIfBroken: boolean): string {
  if (!existsSync(binding)) throw new NativeModuleError(`better-sqlite3 for Electron ${electronVersion} is missing at ${binding}`);
  try {
    verify(binding);
  } catch (error) {
    if (removeIfBroken) rmSync(binding, { force: true });
    throw new NativeModuleError(
      `better-sqlite3 at ${binding} does not load in Electron ${electronVersion} (${firstLine(error)})${removeIfBroken ? '; run "npm start" again to prepare it' : ''}`,
    );
  }
  return binding;
}
