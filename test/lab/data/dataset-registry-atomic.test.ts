// A failure after the temp folder exists (here: the final rename) must remove it again.
import { existsSync, readdirSync } from 'node:fs';
import type * as NodeFs from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DatasetRegistry } from '../../../src-main/lab/data/dataset-registry.ts';
import { tempDir, writeIdxSet } from './idx-fixtures.ts';

const failRename = vi.hoisted(() => ({ on: false }));
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof NodeFs>();
  return {
    ...fs,
    renameSync: (from: string, to: string) => {
      if (failRename.on) throw Object.assign(new Error('EIO: i/o error, rename'), { code: 'EIO' });
      fs.renameSync(from, to);
    },
  };
});

describe('DatasetRegistry import atomicity', () => {
  const home = tempDir('layerlab-home-');
  const inputs = tempDir('layerlab-inputs-');
  afterEach(() => {
    failRename.on = false;
    home.cleanup();
    inputs.cleanup();
  });

  it('removes the temp folder when the final rename fails', () => {
    const registry = new DatasetRegistry(home.dir);
    failRename.on = true;
    expect(() => registry.importIdx('late', writeIdxSet(inputs))).toThrow(/could not save dataset "late".*EIO/);
    expect(existsSync(home.path('datasets'))).toBe(true);
    expect(readdirSync(home.path('datasets'))).toEqual([]);
    expect(registry.list().map((d) => d.name)).toEqual(['mnist']);
  });
});
