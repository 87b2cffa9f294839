// better-sqlite3 is a V8 addon: Electron needs a build for its own ABI, while the CLI and tests
// use the Node build. The Electron build lives in its own folder (nativeBinding), made once by
// @electron/rebuild. Where Electron's headers cannot be downloaded this fails with one clear
// message: loading the Node build into Electron would crash later with an ABI mismatch.
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export class NativeModuleError extends Error {
  override name = 'NativeModuleError';
}

export interface RebuildFn {
  (options: { buildPath: string; electronVersion: string; onlyModules: string[]; force: boolean }): Promise<void>;
}

/** Where the Electron build of better-sqlite3 is kept for this Electron version. */
export function electronBindingPath(cacheDir: string, electronVersion: string): string {
  return join(cacheDir, `better-sqlite3-electron-${electronVersion}-${process.platform}-${process.arch}`, 'better_sqlite3.node');
}

/**
 * Returns the path of a better-sqlite3 build for this Electron. A packaged app ships one
 * (electron-builder rebuilds native modules), so `packagedBinding` wins when it exists.
 */
export async function ensureElectronSqlite(options: {
  cacheDir: string;
  electronVersion: string;
  packagedBinding?: string;
  rebuild: RebuildFn;
  /** Loads the binary in this process; throws for a wrong ABI (Node's own check). */
  verify?: (binding: string) => void;
  /** The better-sqlite3 package to rebuild (default: the one this code resolves). */
  moduleDir?: string;
}): Promise<string> {
  if (options.packagedBinding && existsSync(options.packagedBinding)) return checked(options.packagedBinding, options);
  const target = electronBindingPath(options.cacheDir, options.electronVersion);
  if (existsSync(target)) return checked(target, options);
  const moduleDir = options.moduleDir ?? dirname(createRequire(import.meta.url).resolve('better-sqlite3/package.json'));
  // Rebuild a copy so the Node build in node_modules stays for the CLI and the tests.
  const work = join(options.cacheDir, `rebuild-${process.pid}`);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(join(work, 'node_modules'), { recursive: true });
  cpSync(moduleDir, join(work, 'node_modules', 'better-sqlite3'), { recursive: true });
  // @electron/rebuild walks the dependencies of buildPath's package.json.
  const { version } = JSON.parse(readFileSync(join(moduleDir, 'package.json'), 'utf8')) as { version?: string };
  writeFileSync(join(work, 'package.json'), JSON.stringify({ name: 'layerlab-native', private: true, dependencies: { 'better-sqlite3': version ?? '*' } }));
  try {
    await options.rebuild({ buildPath: work, electronVersion: options.electronVersion, onlyModules: ['better-sqlite3'], force: true });
  } catch (error) {
    rmSync(work, { recursive: true, force: true });
    throw new NativeModuleError(
      `could not build better-sqlite3 for Electron ${options.electronVersion} (${error instanceof Error ? error.message.split('\n')[0] : String(error)}). ` +
        'This needs Electron\'s headers from the internet once; without them use "layerlab serve" in a browser instead.',
    );
  }
  const built = join(work, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');
  const nodeBuild = join(moduleDir, 'build', 'Release', 'better_sqlite3.node');
  const problem = !existsSync(built)
    ? 'produced no binary'
    : existsSync(nodeBuild) && readFileSync(built).equals(readFileSync(nodeBuild))
      ? "left Node's own build in place (Electron's headers were not used)"
      : null;
  if (problem) {
    rmSync(work, { recursive: true, force: true });
    throw new NativeModuleError(`the better-sqlite3 rebuild for Electron ${options.electronVersion} ${problem}; use "layerlab serve" in a browser instead`);
  }
  mkdirSync(dirname(target), { recursive: true });
  copyFileSync(built, target);
  rmSync(work, { recursive: true, force: true });
  return checked(target, options);
}

/** A cached or shipped binary that does not load is removed, so the next start rebuilds it. */
function checked(binding: string, options: { electronVersion: string; packagedBinding?: string; verify?: (binding: string) => void }): string {
  try {
    options.verify?.(binding);
  } catch (error) {
    if (binding !== options.packagedBinding) rmSync(binding, { force: true });
    throw new NativeModuleError(
      `better-sqlite3 at ${binding} does not load in Electron ${options.electronVersion} (${error instanceof Error ? error.message.split('\n')[0] : String(error)}); restart Layerlab to rebuild it`,
    );
  }
  return binding;
}
