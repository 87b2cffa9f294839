// npm run dist (after build:renderer and build:electron): packages installers from a staging
// folder, so electron-builder's rebuild for Electron never touches the project's node_modules
// (see src-main/electron/packaging.ts). Needs the internet: npm installs the stage's
// dependencies and electron-builder downloads Electron itself.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import yaml from 'js-yaml';
import { register } from 'tsx/esm/api';

register();
const { STAGE_DIR, STAGED_PATHS, stagedBuilderConfig, stagePackageJson } = await import('../src-main/electron/packaging.ts');
const { build } = await import('electron-builder');

const root = fileURLToPath(new URL('..', import.meta.url));
const stage = join(root, STAGE_DIR);
const readJson = (file) => JSON.parse(readFileSync(file, 'utf8'));
const electronVersion = readJson(join(root, 'node_modules', 'electron', 'package.json')).version;

for (const path of STAGED_PATHS) {
  if (!existsSync(join(root, path))) throw new Error(`${path} is missing: run "npm run build:renderer && npm run build:electron" first`);
}
rmSync(stage, { recursive: true, force: true });
mkdirSync(stage, { recursive: true });
writeFileSync(join(stage, 'package.json'), JSON.stringify(stagePackageJson(readJson(join(root, 'package.json')), electronVersion), null, 2));
for (const path of STAGED_PATHS) cpSync(join(root, path), join(stage, path), { recursive: true });
// The lock file pins the same versions the project runs; npm drops the dev-only entries.
const installed = spawnSync('npm', ['install', '--omit=dev', '--no-audit', '--no-fund'], { cwd: stage, stdio: 'inherit', shell: process.platform === 'win32' });
if (installed.status !== 0) process.exit(installed.status ?? 1);

const config = stagedBuilderConfig(yaml.load(readFileSync(join(root, 'electron-builder.yml'), 'utf8')), root, electronVersion);
await build({ projectDir: stage, config });
