// The check that tells a Node build from Electron's, on real files: the project's own Node
// build of better-sqlite3 loads in Node (so it must never be taken for Electron's), a file
// that is no addon for this Node does not.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadsInNode } from '../../src-main/electron/native-sqlite-steps.ts';

describe('loadsInNode', () => {
  it("recognizes Node's build and refuses anything else", () => {
    const nodeBuild = join(dirname(createRequire(import.meta.url).resolve('better-sqlite3/package.json')), 'build', 'Release', 'better_sqlite3.node');
    expect(loadsInNode(nodeBuild)).toBe(true);
    const dir = mkdtempSync(join(tmpdir(), 'layerlab-addon-'));
    try {
      writeFileSync(join(dir, 'not-an-addon.node'), 'ELF? no');
      expect(loadsInNode(join(dir, 'not-an-addon.node'))).toBe(false);
      expect(loadsInNode(join(dir, 'missing.node'))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
