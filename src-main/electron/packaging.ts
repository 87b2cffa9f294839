// `npm run dist` packages the app from a staging folder, never from the project itself:
// electron-builder's npmRebuild rebuilds native modules for Electron in place, and in the
// project that would replace the Node build of better-sqlite3 the CLI, `layerlab serve` and the
// tests load (NODE_MODULE_VERSION mismatch afterwards). The stage holds the built app and its
// production dependencies only; electron-builder installs and rebuilds there.
// scripts/dist.js runs it; the decisions are here so a test can hold them.
import { isAbsolute, join, resolve } from 'node:path';
import type { Configuration } from 'electron-builder';

export const STAGE_DIR = join('node_modules', '.cache', 'layerlab', 'stage');
/** What the stage holds besides package.json: the outputs of build:renderer and build:electron. */
export const STAGED_PATHS = ['dist/renderer', 'dist-electron', 'package-lock.json'] as const;

interface PackageJson {
  name: string;
  version: string;
  description?: string;
  license?: string;
  type?: string;
  main?: string;
  desktopName?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  [key: string]: unknown;
}

/** The app's package.json for the stage: its runtime dependencies, and Electron's exact version
 *  (electron-builder reads it from devDependencies; nothing installs it). No scripts. */
export function stagePackageJson(project: PackageJson, electronVersion: string): PackageJson {
  const { name, version, description, license, type, main, desktopName, dependencies, optionalDependencies } = project;
  return {
    name,
    version,
    ...(description ? { description } : {}),
    ...(license ? { license } : {}),
    ...(type ? { type } : {}),
    ...(main ? { main } : {}),
    ...(desktopName ? { desktopName } : {}),
    dependencies: { ...dependencies },
    optionalDependencies: { ...optionalDependencies },
    devDependencies: { electron: electronVersion },
  };
}

const absolute = (root: string, path: string | null | undefined) => (path && !isAbsolute(path) ? resolve(root, path) : path);

/** electron-builder.yml adjusted to build from the stage: output, resources and icons stay the
 *  project's (absolute paths), the rebuild happens in the stage. */
export function stagedBuilderConfig(config: Configuration, projectRoot: string, electronVersion: string): Configuration {
  const icons = <T extends { icon?: string | null } | null | undefined>(platform: T): T => (platform ? { ...platform, icon: absolute(projectRoot, platform.icon) } : platform);
  return {
    ...config,
    electronVersion,
    npmRebuild: true,
    directories: {
      ...config.directories,
      output: absolute(projectRoot, config.directories?.output ?? 'release'),
      buildResources: absolute(projectRoot, config.directories?.buildResources ?? 'build'),
    },
    linux: icons(config.linux),
    mac: icons(config.mac),
    win: icons(config.win),
  };
}
