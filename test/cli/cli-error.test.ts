// How the CLI reports an error: user mistakes (including file-system ones naming a path) as one
// line; anything else as an unexpected error.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { reportError, UsageError } from '../../src-main/cli/cli-error.ts';

const dir = mkdtempSync(join(tmpdir(), 'layerlab-cli-error-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function report(error: unknown): { code: number; text: string } {
  let text = '';
  const code = reportError(error, new Writable({ write: (c: Buffer, _e, done) => ((text += c.toString()), done()) }));
  return { code, text };
}
const thrown = (fn: () => unknown): unknown => {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
};

describe('reportError', () => {
  it('a usage error: one line, exit 2', () => {
    expect(report(new UsageError('--x is bad'))).toEqual({ code: 2, text: 'layerlab: --x is bad\n' });
  });

  it('file-system mistakes name the path and what is wrong', () => {
    const file = join(dir, 'file');
    writeFileSync(file, '');
    expect(report(thrown(() => mkdirSync(file)))).toEqual({ code: 1, text: `layerlab: ${file}: a file is in the way: it is not a folder\n` });
    expect(report(thrown(() => writeFileSync(join(dir, 'no', 'x'), '')))).toEqual({ code: 1, text: `layerlab: ${join(dir, 'no', 'x')}: no such file or folder (is a folder on the way missing?)\n` });
    expect(report(thrown(() => mkdirSync(join(file, 'sub'), { recursive: true }))).text).toBe(`layerlab: ${join(file, 'sub')}: a part of this path is a file, not a folder\n`);
  });

  it('anything else is unexpected and says how to see the stack', () => {
    const { code, text } = report(new TypeError('x is undefined'));
    expect(code).toBe(1);
    expect(text).toMatch(/^layerlab: unexpected error: x is undefined\n/);
  });
});
