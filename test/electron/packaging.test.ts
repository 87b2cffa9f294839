// npm run dist: packaged from a staging folder (the project's node_modules keep their Node
// builds), with a config electron-builder accepts; .deb first for Ubuntu, the .desktop name
// matching Electron's app_id, and the Chromium sandbox never switched off.
import { readdirSync, readFileSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import Ajv from 'ajv';
import type { Configuration } from 'electron-builder';
import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { STAGE_DIR, STAGED_PATHS, stagedBuilderConfig, stagePackageJson } from '../../src-main/electron/packaging.ts';

const ROOT = join(import.meta.dirname, '../..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const project = JSON.parse(read('package.json')) as Parameters<typeof stagePackageJson>[0] & { scripts: Record<string, string> };
const baseConfig = yaml.load(read('electron-builder.yml')) as Configuration;

describe('the staging folder', () => {
  it('is out of the project tree that tests and the CLI load from', () => {
    expect(STAGE_DIR.split(/[\\/]/).slice(0, 2)).toEqual(['node_modules', '.cache']);
    expect(STAGED_PATHS).toEqual(['dist/renderer', 'dist-electron', 'package-lock.json']);
  });

  it('gets the runtime dependencies and Electron\'s exact version, nothing else', () => {
    const staged = stagePackageJson(project, '45.5.0');
    expect(staged.dependencies).toEqual(project.dependencies);
    expect(staged.optionalDependencies).toEqual(project.optionalDependencies);
    expect(staged.devDependencies).toEqual({ electron: '45.5.0' });
    expect(staged).toMatchObject({ name: 'layerlab', main: project.main, type: 'module', desktopName: 'layerlab.desktop' });
    expect(staged).not.toHaveProperty('scripts');
  });

  it('npm run dist builds through the stage, never electron-builder on the project', () => {
    expect(project.scripts.dist).toBe('npm run build:renderer && npm run build:electron && node scripts/dist.js');
    for (const script of Object.values(project.scripts)) expect(script).not.toMatch(/(^|&&\s*)electron-builder\b/);
    const dist = read('scripts/dist.js');
    expect(dist).toContain('build({ projectDir: stage, config })');
    expect(dist).toContain("'install', '--omit=dev'");
  });
});

describe('the staged electron-builder config', () => {
  const config = stagedBuilderConfig(baseConfig, ROOT, '45.5.0');

  it("is valid against electron-builder's own schema", () => {
    const schema = JSON.parse(read('node_modules/app-builder-lib/scheme.json')) as object;
    const validate = new Ajv({ allErrors: true, strict: false, allowUnionTypes: true }).compile(schema);
    expect(validate(config), JSON.stringify(validate.errors)).toBe(true);
  });

  it('writes installers to the project and reads resources from it, rebuilding only in the stage', () => {
    expect(config.electronVersion).toBe('45.5.0');
    expect(config.npmRebuild).toBe(true);
    expect(config.directories).toEqual({ output: join(ROOT, 'release'), buildResources: join(ROOT, 'assets') });
    for (const platform of [config.linux, config.mac, config.win]) {
      expect(isAbsolute(platform!.icon!)).toBe(true);
      expect(readdirSync(join(ROOT, 'assets'))).toContain(relative(join(ROOT, 'assets'), platform!.icon!));
    }
    // The project's own config is not changed by staging.
    expect(baseConfig.directories).toEqual({ output: 'release', buildResources: 'assets' });
  });

  it('ships a .deb first for Ubuntu, named so docks match the window to its icon', () => {
    expect(config.linux).toMatchObject({ target: ['deb', 'AppImage'], executableName: 'layerlab', syncDesktopName: true });
    expect(project.desktopName).toBe('layerlab.desktop');
  });

  it('never ships or starts with the Chromium sandbox switched off', () => {
    const files = ['electron-builder.yml', 'package.json', ...readdirSync(join(ROOT, 'scripts')).map((f) => `scripts/${f}`), ...readdirSync(join(ROOT, 'src-main/electron')).map((f) => `src-main/electron/${f}`)];
    for (const file of files) expect(read(file), file).not.toMatch(/no-sandbox|disable-setuid-sandbox|app\.enableSandbox\(false\)|sandbox:\s*false/);
    expect(JSON.stringify(config)).not.toMatch(/no-sandbox/);
    expect(config.linux?.executableArgs ?? []).toEqual([]);
  });
});
