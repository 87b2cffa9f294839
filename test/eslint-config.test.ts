// The layering rules are enforced by lint, not remembered: a file breaking one fails `npm run check`.
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: new URL('..', import.meta.url).pathname });

async function ruleIds(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).map((m) => m.ruleId ?? m.message);
}

describe('eslint.config.js', () => {
  it('forbids the core importing the web bridge, the CLI or Electron', async () => {
    for (const target of ['../../web/web-bridge.ts', '../../cli/main.ts', '../../electron/ipc.ts', 'electron']) {
      expect(await ruleIds('src-main/lab/service/probe.ts', `import { x } from '${target}';\nexport const y = x;\n`), target).toContain('no-restricted-imports');
    }
    expect(await ruleIds('src-main/lab/service/probe.ts', `import { x } from '../store/lab-store.ts';\nexport const y = x;\n`)).toEqual([]);
  });

  it('lints .svelte components, their TypeScript and the renderer’s layering included', async () => {
    const component = (script: string) => `<script lang="ts">\n${script}\n</script>\n<p>{value}</p>\n`;
    expect(await ruleIds('src-renderer/components/shared/Probe.svelte', component(`  const value: number = 1;`))).toEqual([]);
    expect(await ruleIds('src-renderer/components/shared/Probe.svelte', component(`  import { LabStore } from '../../../src-main/lab/store/lab-store.ts';\n  const value = LabStore;`))).toContain('no-restricted-imports');
    expect(await ruleIds('src-renderer/components/shared/Probe.svelte', component(`  let unused: number = 1;\n  const value = 2;`))).toContain('@typescript-eslint/no-unused-vars');
  });

  it('keeps user-agent sniffing and hand-kept media queries out of the renderer', async () => {
    expect(await ruleIds('src-renderer/lib/probe.ts', `export const value = /jsdom/.test(navigator.userAgent);\n`)).toContain('no-restricted-properties');
    expect(await ruleIds('src-renderer/lib/probe.ts', `export const value = matchMedia('(prefers-color-scheme: dark)').matches;\n`)).toContain('no-restricted-globals');
    expect(await ruleIds('src-renderer/lib/probe.ts', `export const value = window.matchMedia('(prefers-color-scheme: dark)').matches;\n`)).toContain('no-restricted-properties');
  });
});
