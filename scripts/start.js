// npm start: build what is needed and open the desktop app; where Electron cannot start (no
// binary, no display), say so in one line and open the same app in the browser instead.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildElectron } from './build-electron.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);

function run(command, args) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

function electronBinary() {
  // electron ≥ 42 downloads its binary on first require; check first so an offline machine
  // gets one line instead of a failed download.
  const dir = dirname(require.resolve('electron/package.json'));
  const pathFile = join(dir, 'path.txt');
  if (!existsSync(pathFile) || !existsSync(join(dir, 'dist', readFileSync(pathFile, 'utf8').trim()))) {
    return { error: 'the Electron binary is not installed; `npx install-electron` fetches it where the internet is reachable' };
  }
  try {
    return require('electron');
  } catch (error) {
    return { error: error instanceof Error ? error.message.split('\n')[0] : String(error) };
  }
}

function fallBackToBrowser(reason) {
  console.log(`Electron can't start here (${reason}); opening Layerlab in your browser instead.`);
  const child = spawn(process.execPath, ['bin/layerlab.js', 'serve', '--open', ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 0));
}

// The page both hosts show; the web bridge explains itself if it is missing.
if (existsSync(join(root, 'src-renderer', 'index.html'))) run(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--logLevel', 'warn']);
const binary = electronBinary();
if (typeof binary !== 'string') {
  fallBackToBrowser(binary.error);
} else if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
  fallBackToBrowser('no display');
} else {
  await buildElectron();
  const started = Date.now();
  const child = spawn(binary, ['.'], { cwd: root, stdio: 'inherit' });
  child.on('error', (error) => fallBackToBrowser(error.message));
  child.on('exit', (code, signal) => {
    // A crash within seconds of launch is a start failure (missing libraries), not a quit.
    if (code !== 0 && Date.now() - started < 5000) fallBackToBrowser(`it exited at start (${signal ?? `code ${code}`})`);
    else process.exit(code ?? 0);
  });
}
