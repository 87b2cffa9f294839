// The real build steps behind prepareElectronSqlite, run by scripts/start.js under plain Node
// (so process.execPath is Node and the build tools run as they do in `npm install`).
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { SqliteBuildSteps } from './native-sqlite.ts';

/** Runs a Node script; rejects with the last line it printed when it fails. */
function runNode(args: string[], cwd: string, log: (line: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let tail = '';
    const keep = (chunk: Buffer) => {
      const text = chunk.toString();
      tail = (tail + text).slice(-2000);
      for (const line of text.split('\n')) if (line.trim()) log(line);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', reject);
    child.on('exit', (code) => {
      const lines = tail.trim().split('\n');
      if (code === 0) resolve();
      else reject(new Error(lines.at(-1) ?? `exit code ${code}`));
    });
  });
}

/**
 * `packageDir` is the project's node_modules/better-sqlite3: the tools are resolved from it,
 * as its own install script finds them. `log` hears every line the tools print.
 */
export function sqliteBuildSteps(packageDir: string, log: (line: string) => void): SqliteBuildSteps {
  const requireFromPackage = createRequire(join(packageDir, 'package.json'));
  return {
    async prebuild(moduleDir, electronVersion) {
      // better-sqlite3 publishes Electron builds per ABI on its GitHub releases.
      const bin = requireFromPackage.resolve('prebuild-install/bin.js');
      await runNode([bin, '--runtime', 'electron', '--target', electronVersion, '--arch', process.arch, '--platform', process.platform, '--verbose'], moduleDir, log);
    },
    async compile(moduleDir, electronVersion) {
      // @electron/rebuild walks the dependencies of buildPath's package.json; moduleDir is
      // <buildPath>/node_modules/better-sqlite3.
      const buildPath = dirname(dirname(moduleDir));
      const { version } = requireFromPackage('./package.json') as { version: string };
      writeFileSync(join(buildPath, 'package.json'), JSON.stringify({ name: 'layerlab-native', private: true, dependencies: { 'better-sqlite3': version } }));
      // An npm config `nodedir` (npm passes it on as npm_config_nodedir) would point node-gyp
      // at Node's headers instead of Electron's: the result would be a Node build.
      delete process.env.npm_config_nodedir;
      const { rebuild } = await import('@electron/rebuild');
      await rebuild({ buildPath, electronVersion, onlyModules: ['better-sqlite3'], force: true, buildFromSource: true });
    },
  };
}

/** Loads the addon in a fresh Node: succeeding means it was built for Node's ABI, not Electron's. */
export function loadsInNode(binary: string): boolean {
  return spawnSync(process.execPath, ['-e', `require(${JSON.stringify(binary)})`], { stdio: 'ignore' }).status === 0;
}
