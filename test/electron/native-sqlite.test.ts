// better-sqlite3 for Electron's ABI: built once into its own folder, never a silent Node build,
// one clear message where Electron's headers cannot be had.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { electronBindingPath, ensureElectronSqlite, NativeModuleError, type RebuildFn } from '../../src-main/electron/native-sqlite.ts';

let root = '';
let moduleDir = '';
let cacheDir = '';
const NODE_BUILD = 'node-abi-115';

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'layerlab-native-'));
  // A stand-in for node_modules/better-sqlite3 with its Node build.
  moduleDir = join(root, 'better-sqlite3');
  mkdirSync(join(moduleDir, 'build', 'Release'), { recursive: true });
  writeFileSync(join(moduleDir, 'package.json'), '{"name":"better-sqlite3"}');
  writeFileSync(join(moduleDir, 'build', 'Release', 'better_sqlite3.node'), NODE_BUILD);
  cacheDir = join(root, 'userData', 'native');
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** A rebuild that writes `content` as the addon, as @electron/rebuild would. */
const writes =
  (content: string, calls: Parameters<RebuildFn>[0][] = []): RebuildFn =>
  async (options) => {
    calls.push(options);
    writeFileSync(join(options.buildPath, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node'), content);
  };

describe('ensureElectronSqlite', () => {
  it('rebuilds a copy for this Electron once, leaving the Node build alone', async () => {
    const calls: Parameters<RebuildFn>[0][] = [];
    const verified: string[] = [];
    const options = { cacheDir, moduleDir, electronVersion: '45.5.0', rebuild: writes('electron-abi-140', calls), verify: (b: string) => void verified.push(b) };
    const binding = await ensureElectronSqlite(options);
    expect(binding).toBe(electronBindingPath(cacheDir, '45.5.0'));
    expect(readFileSync(binding, 'utf8')).toBe('electron-abi-140');
    expect(readFileSync(join(moduleDir, 'build', 'Release', 'better_sqlite3.node'), 'utf8')).toBe(NODE_BUILD);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ electronVersion: '45.5.0', onlyModules: ['better-sqlite3'], force: true });
    // The next start uses the cached build.
    expect(await ensureElectronSqlite(options)).toBe(binding);
    expect(calls).toHaveLength(1);
    expect(verified).toEqual([binding, binding]);
  });

  it('prefers the build a packaged app ships', async () => {
    const packagedBinding = join(root, 'app.asar.unpacked', 'better_sqlite3.node');
    mkdirSync(join(root, 'app.asar.unpacked'));
    writeFileSync(packagedBinding, 'packaged');
    const rebuild: RebuildFn = async () => {
      throw new Error('must not rebuild');
    };
    expect(await ensureElectronSqlite({ cacheDir, moduleDir, electronVersion: '45.5.0', packagedBinding, rebuild })).toBe(packagedBinding);
  });

  it('fails with one clear message where Electron headers cannot be downloaded', async () => {
    const rebuild: RebuildFn = async () => {
      throw new Error('getaddrinfo ENOTFOUND artifacts.electronjs.org\n    at stack line');
    };
    const error = await ensureElectronSqlite({ cacheDir, moduleDir, electronVersion: '45.5.0', rebuild }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NativeModuleError);
    expect((error as Error).message).not.toContain('\n');
    expect((error as Error).message).toMatch(/could not build better-sqlite3 for Electron 45\.5\.0 \(getaddrinfo ENOTFOUND artifacts\.electronjs\.org\).*layerlab serve/);
    expect(existsSync(electronBindingPath(cacheDir, '45.5.0'))).toBe(false);
  });

  it('refuses a "rebuild" that left the Node build in place', async () => {
    await expect(ensureElectronSqlite({ cacheDir, moduleDir, electronVersion: '45.5.0', rebuild: writes(NODE_BUILD) })).rejects.toThrow(/left Node's own build in place/);
    expect(existsSync(electronBindingPath(cacheDir, '45.5.0'))).toBe(false);
  });

  it('drops a cached build that does not load, so the next start rebuilds it', async () => {
    const target = electronBindingPath(cacheDir, '45.5.0');
    mkdirSync(join(target, '..'), { recursive: true });
    writeFileSync(target, 'stale');
    const verify = () => {
      throw new Error('was compiled against a different Node.js version using NODE_MODULE_VERSION 115');
    };
    await expect(ensureElectronSqlite({ cacheDir, moduleDir, electronVersion: '45.5.0', rebuild: writes('x'), verify })).rejects.toThrow(/does not load in Electron 45\.5\.0.*NODE_MODULE_VERSION 115/);
    expect(existsSync(target)).toBe(false);
  });
});
