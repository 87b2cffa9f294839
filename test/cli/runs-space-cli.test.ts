// `layerlab runs delete` gives the space back before it exits; `layerlab runs compact` converts a lab made before
// Layerlab gave space back (no auto-vacuum), so it shrinks now and its later deletes give their space back too.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { generateLab } from '../../bench/large-lab/generate-lab.ts';

const BIN = join(import.meta.dirname, '../../bin/layerlab.js');
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function lab(noAutoVacuum: boolean): string {
  const home = mkdtempSync(join(tmpdir(), 'layerlab-space-cli-'));
  dirs.push(home);
  // 30 runs with weights, per-batch losses and predictions: a few MB.
  generateLab({ runs: 30, out: home, epochs: 3, noAutoVacuum });
  return home;
}
const cli = (home: string, args: string[]) => spawnSync(process.execPath, [BIN, ...args, '--home', home], { encoding: 'utf8', timeout: 120_000 });
const fileSize = (home: string) => statSync(join(home, 'layerlab.sqlite')).size;
const heaviest = (home: string) => {
  const db = new Database(join(home, 'layerlab.sqlite'), { readonly: true });
  const row = db.prepare('SELECT run_id AS id, SUM(bytes) AS bytes FROM checkpoints GROUP BY run_id ORDER BY bytes DESC LIMIT 1').get() as { id: number; bytes: number };
  db.close();
  return row;
};
const autoVacuum = (home: string) => {
  const db = new Database(join(home, 'layerlab.sqlite'), { readonly: true });
  const mode = db.pragma('auto_vacuum', { simple: true });
  db.close();
  return mode;
};

describe('layerlab runs delete / compact and the space on disk', () => {
  it('delete gives a run\'s space back to the disk before it exits', () => {
    const home = lab(false);
    cli(home, ['runs', 'list']);
    const before = fileSize(home);
    const run = heaviest(home);
    const r = cli(home, ['runs', 'delete', String(run.id)]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe(`Deleted run ${run.id}\n`);
    expect(before - fileSize(home)).toBeGreaterThanOrEqual(run.bytes);
  });

  it('compact shrinks a lab of an earlier version and makes its later deletes give space back', () => {
    const home = lab(true);
    const first = heaviest(home);
    expect(cli(home, ['runs', 'delete', String(first.id)]).status).toBe(0);
    // An earlier version's file keeps the freed pages (new runs reuse them): it does not shrink on delete.
    const kept = fileSize(home);
    const compact = cli(home, ['runs', 'compact']);
    expect(compact.status, compact.stderr).toBe(0);
    expect(compact.stdout).toMatch(/^Compacted the lab: [\d.]+ MB → [\d.]+ MB; deleting runs now gives their space back to the disk\n$/);
    expect(kept - fileSize(home)).toBeGreaterThanOrEqual(first.bytes);
    expect(autoVacuum(home)).toBe(2);

    const second = heaviest(home);
    const before = fileSize(home);
    expect(cli(home, ['runs', 'delete', String(second.id)]).status).toBe(0);
    expect(before - fileSize(home)).toBeGreaterThanOrEqual(second.bytes);
    expect(cli(home, ['runs', 'compact', '3']).stderr).toContain('runs compact takes no run ids');
  });
});
