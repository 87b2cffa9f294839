// SQLite for Electron's ABI, as `npm start` prepares it under Node: the cache first, then
// Electron's prebuilt binary, then a compile; each result checked; the Node build untouched;
// one clear message when neither way works. The build tools are fakes here.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkedBinding, electronBindingPath, NativeModuleError, prepareElectronSqlite, type SqliteBuildSteps } from '../../src-main/electron/native-sqlite.ts';

let root = '';
let moduleDir = '';
let cacheDir = '';
const NODE_BUILD = 'node-abi-115';
const VERSION = '45.5.0';

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'layerlab-native-'));
  // A stand-in for node_modules/better-sqlite3 with its Node build.
  moduleDir = join(root, 'better-sqlite3');
  mkdirSync(join(moduleDir, 'build', 'Release'), { recursive: true });
  mkdirSync(join(moduleDir, 'src'));
  writeFileSync(join(moduleDir, 'package.json'), '{"name":"better-sqlite3","version":"12.4.1"}');
  writeFileSync(join(moduleDir, 'src', 'better_sqlite3.cpp'), '// source');
  writeFileSync(join(moduleDir, 'build', 'Release', 'better_sqlite3.node'), NODE_BUILD);
  cacheDir = join(root, 'node_modules', '.cache', 'layerlab');
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** The fake binaries say what they are: only a Node build "loads" in the test's Node. */
const loadsInNode = (binary: string) => readFileSync(binary, 'utf8').startsWith('node-');

type Call = { step: 'prebuild' | 'compile'; dir: string; version: string; hadSource: boolean; hadOldBinary: boolean };

/** Fake tools: each either writes `content` as the binary, or throws `error`. */
function steps(prebuild: { content?: string; error?: string }, compile: { content?: string; error?: string }, calls: Call[] = []): SqliteBuildSteps {
  const fake = (step: Call['step'], outcome: { content?: string; error?: string }) => async (dir: string, version: string) => {
    const binary = join(dir, 'build', 'Release', 'better_sqlite3.node');
    calls.push({ step, dir, version, hadSource: existsSync(join(dir, 'src', 'better_sqlite3.cpp')), hadOldBinary: existsSync(binary) });
    if (outcome.error) throw new Error(outcome.error);
    if (outcome.content !== undefined) {
      mkdirSync(join(dir, 'build', 'Release'), { recursive: true });
      writeFileSync(binary, outcome.content);
    }
  };
  return { prebuild: fake('prebuild', prebuild), compile: fake('compile', compile) };
}

describe('prepareElectronSqlite', () => {
  it("downloads Electron's prebuilt binary into the cache once, leaving the Node build alone", async () => {
    const calls: Call[] = [];
    const progress: string[] = [];
    const options = { cacheDir, moduleDir, electronVersion: VERSION, loadsInNode, steps: steps({ content: 'electron-abi-150' }, { error: 'must not compile' }, calls), progress: (m: string) => void progress.push(m) };
    const first = await prepareElectronSqlite(options);
    expect(first).toEqual({ binding: electronBindingPath(cacheDir, VERSION), made: 'prebuilt' });
    expect(readFileSync(first.binding, 'utf8')).toBe('electron-abi-150');
    expect(readFileSync(join(moduleDir, 'build', 'Release', 'better_sqlite3.node'), 'utf8')).toBe(NODE_BUILD);
    // The tools work on a copy with the sources but without the Node binary.
    expect(calls).toEqual([{ step: 'prebuild', dir: expect.stringContaining(join(cacheDir, 'work-')), version: VERSION, hadSource: true, hadOldBinary: false }]);
    expect(progress).toEqual([`Downloading SQLite for Electron ${VERSION}…`]);
    // The work folder is gone; the next start uses the cache without running anything.
    expect(readdirSync(cacheDir)).toEqual([`better-sqlite3-electron-${VERSION}-${process.platform}-${process.arch}`]);
    expect(await prepareElectronSqlite(options)).toEqual({ binding: first.binding, made: 'cached' });
    expect(calls).toHaveLength(1);
  });

  it('compiles from source when no prebuilt binary can be had, and says so', async () => {
    const calls: Call[] = [];
    const progress: string[] = [];
    const result = await prepareElectronSqlite({
      cacheDir,
      moduleDir,
      electronVersion: VERSION,
      loadsInNode, steps: steps({ error: 'getaddrinfo ENOTFOUND github.com\n    at stack line' }, { content: 'compiled-abi-150' }, calls),
      progress: (m) => progress.push(m),
    });
    expect(result.made).toBe('compiled');
    expect(readFileSync(result.binding, 'utf8')).toBe('compiled-abi-150');
    expect(calls.map((c) => [c.step, c.hadOldBinary])).toEqual([
      ['prebuild', false],
      ['compile', false],
    ]);
    expect(progress[1]).toBe('No prebuilt SQLite (getaddrinfo ENOTFOUND github.com). Compiling it from source; this takes a few minutes…');
  });

  it("treats a step that leaves no binary, or Node's own, as a failure", async () => {
    const result = await prepareElectronSqlite({ cacheDir, moduleDir, electronVersion: VERSION, loadsInNode, steps: steps({}, { content: 'compiled' }) });
    expect(result.made).toBe('compiled');
    rmSync(cacheDir, { recursive: true });
    await expect(prepareElectronSqlite({ cacheDir, moduleDir, electronVersion: VERSION, loadsInNode, steps: steps({ content: NODE_BUILD }, { content: 'node-abi-115 compiled against /usr/include/node' }) })).rejects.toThrow(
      /no prebuilt binary \(it produced a build for Node, not Electron\) and the compile failed \(it produced a build for Node, not Electron\)/,
    );
    expect(existsSync(electronBindingPath(cacheDir, VERSION))).toBe(false);
  });

  it('fails with one line naming both reasons and what each needs, leaving nothing behind', async () => {
    const error = await prepareElectronSqlite({
      cacheDir,
      moduleDir,
      electronVersion: VERSION,
      loadsInNode, steps: steps({ error: '404 Not Found' }, { error: 'gyp ERR! find Python\nmore' }),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NativeModuleError);
    const message = (error as Error).message;
    expect(message).not.toContain('\n');
    expect(message).toMatch(/Electron 45\.5\.0: no prebuilt binary \(404 Not Found\) and the compile failed \(gyp ERR! find Python\)/);
    expect(message).toMatch(/github\.com.*electronjs\.org, Python 3 and a C\+\+ toolchain.*layerlab serve --open/);
    expect(existsSync(electronBindingPath(cacheDir, VERSION))).toBe(false);
    expect(readdirSync(cacheDir)).toEqual([]);
  });

  it('keeps one build per Electron version: an upgrade prepares a new one', async () => {
    await prepareElectronSqlite({ cacheDir, moduleDir, electronVersion: VERSION, loadsInNode, steps: steps({ content: 'abi-150' }, {}) });
    const next = await prepareElectronSqlite({ cacheDir, moduleDir, electronVersion: '46.0.0', loadsInNode, steps: steps({ content: 'abi-154' }, {}) });
    expect(next.made).toBe('prebuilt');
    expect(next.binding).not.toBe(electronBindingPath(cacheDir, VERSION));
  });
});

describe('checkedBinding', () => {
  it('removes a cached build that does not load in Electron, so the next npm start prepares it again', () => {
    const binding = electronBindingPath(cacheDir, VERSION);
    mkdirSync(join(binding, '..'), { recursive: true });
    writeFileSync(binding, 'stale');
    const verify = () => {
      throw new Error('was compiled against a different Node.js version using NODE_MODULE_VERSION 115\nstack');
    };
    expect(() => checkedBinding(binding, VERSION, verify, true)).toThrow(/does not load in Electron 45\.5\.0 \(.*NODE_MODULE_VERSION 115\); run "npm start" again/);
    expect(existsSync(binding)).toBe(false);
  });

  it("keeps a packaged app's binary and returns a loadable one", () => {
    const binding = join(root, 'better_sqlite3.node');
    writeFileSync(binding, 'packaged');
    expect(() => checkedBinding(binding, VERSION, () => { throw new Error('bad'); }, false)).toThrow(NativeModuleError);
    expect(existsSync(binding)).toBe(true);
    expect(checkedBinding(binding, VERSION, () => {}, false)).toBe(binding);
    expect(() => checkedBinding(join(root, 'missing.node'), VERSION, () => {}, false)).toThrow(/missing at/);
  });
});
