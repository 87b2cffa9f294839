// Files a user (or an attacker) hands the lab: devices, pipes and huge plain IDX files are refused
// before a byte is read; a damaged dataset description is listed as damaged, not hidden.
import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, ftruncateSync, mkdirSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DatasetRegistry } from '../../src-main/lab/data/dataset-registry.ts';
import { MAX_IDX_BYTES, readIdxFile } from '../../src-main/lab/data/idx.ts';
import { tempDir, writeIdxSet } from '../lab/data/idx-fixtures.ts';

const tmp = tempDir('layerlab-hostile-files-');
afterAll(() => tmp.cleanup());

/** How long `fn` takes to throw, and what it threw. */
function timedThrow(fn: () => unknown): { ms: number; message: string } {
  const start = performance.now();
  try {
    fn();
  } catch (error) {
    return { ms: performance.now() - start, message: (error as Error).message };
  }
  throw new Error('expected a refusal');
}

describe('IDX inputs', () => {
  it.runIf(existsSync('/dev/zero'))('refuses /dev/zero at once instead of reading forever', () => {
    const { message } = timedThrow(() => readIdxFile('/dev/zero', 'training images file /dev/zero'));
    expect(message).toBe('training images file /dev/zero is not a regular file (a device, pipe or socket); give an IDX file');
  });

  it.runIf(process.platform !== 'win32')('refuses a named pipe without blocking on it', () => {
    const fifo = tmp.path('pipe');
    execFileSync('mkfifo', [fifo]);
    // Opening a FIFO for reading blocks until a writer appears: keep one open.
    const writer = openSync(fifo, 'r+');
    try {
      expect(timedThrow(() => readIdxFile(fifo)).message).toMatch(/is not a regular file/);
    } finally {
      closeSync(writer);
    }
  });

  it('bounds a plain IDX file like a gzipped one, without reading it', () => {
    const huge = tmp.path('huge-idx');
    const fd = openSync(huge, 'w');
    ftruncateSync(fd, MAX_IDX_BYTES + 1); // sparse: no disk used
    closeSync(fd);
    expect(timedThrow(() => readIdxFile(huge)).message).toMatch(/is 1024 MiB, more than the 1024 MiB an IDX dataset file may be/);
  });
});

describe('dataset descriptions', () => {
  it.each([
    ['not-json', '{"format":1,'],
    ['wrong-shape', '{"format":1}'],
    ['empty', ''],
  ])('a dataset.json that is %s is listed as damaged, with what to do', (what, text) => {
    const home = tmp.path(`home-${what}`);
    const registry = new DatasetRegistry(home);
    const inputs = tempDir();
    try {
      registry.importIdx('digits', writeIdxSet(inputs));
    } finally {
      inputs.cleanup();
    }
    writeFileSync(join(home, 'datasets', 'digits', 'dataset.json'), text);
    const entry = registry.list().find((d) => d.name === 'digits');
    expect(entry?.damaged).toMatch(/dataset "digits" is damaged: .*Delete the folder .*digits and import the dataset again\.$/);
    expect(() => registry.load('digits')).toThrow(/dataset "digits" is damaged/);
  });

  it('a folder that is not a dataset at all stays out of the list', () => {
    const home = tmp.path('home-stray');
    mkdirSync(join(home, 'datasets', 'stray'), { recursive: true });
    expect(new DatasetRegistry(home).list().map((d) => d.name)).toEqual(['mnist']);
  });
});
