// `layerlab serve` right after `npm install`: the page is built when missing, used as is when there.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { UsageError } from '../../src-main/cli/cli-error.ts';
import { ensurePage, SOURCE_CHECKOUT, type PageBuild } from '../../src-main/cli/renderer-page.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function checkout(options: { built: boolean; sources: boolean; buildWorks: boolean }) {
  const root = mkdtempSync(join(tmpdir(), 'layerlab-page-'));
  dirs.push(root);
  const page: PageBuild & { builds: number } = {
    pageDir: join(root, 'dist', 'renderer'),
    sourceDir: join(root, 'src-renderer'),
    builds: 0,
    build() {
      page.builds++;
      if (!options.buildWorks) return { ok: false, output: 'error: Could not resolve "./App.svelte"' };
      mkdirSync(page.pageDir, { recursive: true });
      writeFileSync(join(page.pageDir, 'index.html'), '<!doctype html>');
      return { ok: true, output: '' };
    },
  };
  if (options.sources) {
    mkdirSync(page.sourceDir, { recursive: true });
    writeFileSync(join(page.sourceDir, 'index.html'), '<!doctype html>');
  }
  if (options.built) page.build();
  page.builds = 0;
  return page;
}

describe('ensurePage', () => {
  it('builds a missing page from the sources and says so once', () => {
    const page = checkout({ built: false, sources: true, buildWorks: true });
    const lines: string[] = [];
    ensurePage(page, (line) => lines.push(line));
    expect(page.builds).toBe(1);
    expect(existsSync(join(page.pageDir, 'index.html'))).toBe(true);
    expect(lines).toEqual(["Building the app's page (once, after install)…"]);
    ensurePage(page, (line) => lines.push(line));
    expect(page.builds).toBe(1);
  });

  it('uses a page that is there without building', () => {
    const page = checkout({ built: true, sources: true, buildWorks: true });
    ensurePage(page, () => {});
    expect(page.builds).toBe(0);
  });

  it('says why when the build fails or there is nothing to build from', () => {
    const failing = checkout({ built: false, sources: true, buildWorks: false });
    expect(() => ensurePage(failing, () => {})).toThrow(UsageError);
    expect(() => ensurePage(failing, () => {})).toThrow(/could not build the app's page \(npm run build:renderer says: error: Could not resolve "\.\/App\.svelte"\)/);
    const bare = checkout({ built: false, sources: false, buildWorks: true });
    expect(() => ensurePage(bare, () => {})).toThrow(/the app's page is missing .* and there are no sources to build it from/);
    expect(bare.builds).toBe(0);
  });

  it('points at this checkout: dist/renderer built from src-renderer', () => {
    expect(SOURCE_CHECKOUT.pageDir).toMatch(/dist[/\\]renderer$/);
    expect(existsSync(join(SOURCE_CHECKOUT.sourceDir, 'index.html'))).toBe(true);
  });
});
