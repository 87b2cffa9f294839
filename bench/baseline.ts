// `--baseline <git ref>`: the bench's own code run against an earlier commit's src-main, for a before/after in one
// run. The ref's tree is exported with `git archive` (no worktree, nothing in .git changes) into a temporary folder,
// this bench/ is copied over its bench/, and node_modules is linked from this checkout.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export interface Baseline {
  benchDir: string;
  describe: string;
  cleanup(): void;
}

export function prepareBaseline(ref: string, benchDir: string): Baseline {
  const root = dirname(benchDir);
  const sha = execFileSync('git', ['rev-parse', '--short', `${ref}^{commit}`], { cwd: root, encoding: 'utf8' }).trim();
  const dir = mkdtempSync(join(tmpdir(), 'layerlab-baseline-'));
  const tar = execFileSync('git', ['archive', '--format=tar', sha], { cwd: root, maxBuffer: 1 << 30 });
  execFileSync('tar', ['-x', '-C', dir], { input: tar });
  cpSync(benchDir, join(dir, 'bench'), { recursive: true, filter: (src) => !src.includes(join('bench', 'results')) });
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return {
    benchDir: join(dir, 'bench'),
    describe: `src-main of ${ref} (${sha}), exported to ${dir}`,
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
