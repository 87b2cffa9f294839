// npm start: build what is needed and open the desktop app; where Electron cannot start (no
// binary, no display), say so in one line and open the same app in the browser instead.
//
// Electron starts first, so a window appears within seconds; while this (plain Node) process
// builds the page and, once per Electron version, prepares better-sqlite3 for Electron's ABI,
// the app shows the step in a small progress window (src-main/electron/desktop-start.ts).
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';
import { buildElectron } from './build-electron.js';

register();
const { findElectron, prepareDesktop, START_CACHE_DIR } = await import('../src-main/electron/desktop-start.ts');
const { electronBindingPath, prepareElectronSqlite } = await import('../src-main/electron/native-sqlite.ts');
const { loadsInNode, sqliteBuildSteps } = await import('../src-main/electron/native-sqlite-steps.ts');
const { START_ENV, writeStartStatus } = await import('../src-main/electron/start-status.ts');

const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);

function runNode(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: root, stdio: 'inherit' });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${args.join(' ')} exited with code ${code}`))));
  });
}

/** The page both hosts show. */
const buildPage = () => runNode(['node_modules/vite/bin/vite.js', 'build', '--logLevel', 'warn']);

function fallBackToBrowser(reason) {
  console.log(`Electron can't start here (${reason}); opening Layerlab in your browser instead.`);
  const child = spawn(process.execPath, ['bin/layerlab.js', 'serve', '--open', ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 0));
}

const electronDir = dirname(require.resolve('electron/package.json'));
const found = findElectron({ electronDir, platform: process.platform, env: process.env });
if ('problem' in found) {
  await buildPage();
  fallBackToBrowser(found.problem);
} else {
  await buildElectron();
  const cacheDir = join(root, START_CACHE_DIR);
  mkdirSync(cacheDir, { recursive: true });
  const electronVersion = JSON.parse(readFileSync(join(electronDir, 'package.json'), 'utf8')).version;
  const statusFile = join(cacheDir, `start-${process.pid}.json`);
  const binding = electronBindingPath(cacheDir, electronVersion);
  // The log of the last preparation only.
  const buildLog = join(cacheDir, 'sqlite-build.log');
  if (!existsSync(binding)) rmSync(buildLog, { force: true });
  writeStartStatus(statusFile, { state: 'working', message: 'Starting…' });

  const started = Date.now();
  const child = spawn(found.binary, ['.'], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, [START_ENV.sqliteBinding]: binding, [START_ENV.statusFile]: statusFile },
  });
  const moduleDir = dirname(require.resolve('better-sqlite3/package.json'));
  const prepared = prepareDesktop({
    statusFile,
    buildPage,
    prepareSqlite: async (progress) => {
      const { made } = await prepareElectronSqlite({
        cacheDir,
        electronVersion,
        moduleDir,
        steps: sqliteBuildSteps(moduleDir, (line) => appendFileSync(buildLog, `${line}\n`)),
        loadsInNode,
        progress: (message) => {
          console.log(message);
          progress(message);
        },
      });
      if (made !== 'cached') console.log(`SQLite for Electron ${electronVersion}: ${made} (tool output in ${buildLog}).`);
    },
  });
  const quit = (code) => {
    rmSync(statusFile, { force: true });
    process.exit(code);
  };
  child.on('error', async (error) => {
    await prepared;
    rmSync(statusFile, { force: true });
    fallBackToBrowser(error.message);
  });
  child.on('exit', async (code, signal) => {
    const result = await prepared;
    rmSync(statusFile, { force: true });
    if (!result.ok) {
      console.error(`Layerlab could not prepare the desktop app: ${result.message}`);
      if (existsSync(buildLog)) console.error(`The build tools' output is in ${buildLog}.`);
      // The page is what the browser needs; SQLite for Node is already there.
      fallBackToBrowser('SQLite for Electron is not available');
    } else if (code !== 0 && Date.now() - started < 5000) {
      // A crash within seconds of launch is a start failure (missing libraries), not a quit.
      fallBackToBrowser(`it exited at start (${signal ?? `code ${code}`})`);
    } else {
      quit(code ?? 0);
    }
  });
}
