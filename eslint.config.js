// Layering is enforced here, not remembered: see ../shared/design/ARCHITECTURE.md.
import tseslint from 'typescript-eslint';
import globals from 'globals';

const noElectron = { name: 'electron', message: 'Only src-main/electron may import electron.' };

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'dist-electron/**', '.tsbuild/**', '.scratch/**', 'release/**', 'test-artifacts/**', '**/*.svelte'] },
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    // CommonJS by necessity (worker scripts Node loads by path).
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['src-shared/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [noElectron],
        patterns: [
          { group: ['node:*', 'fs', 'path', 'os', 'child_process'], message: 'src-shared is pure: no Node.' },
          { group: ['**/src-main/**', '**/src-renderer/**', '@tensorflow/*', 'better-sqlite3'], message: 'src-shared imports nothing of ours but itself.' },
        ],
      }],
    },
  },
  {
    files: ['src-main/lab/**/*.ts', 'src-main/cli/**/*.ts', 'src-main/web/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [noElectron], patterns: [{ group: ['electron/*', '**/src-renderer/**', '**/electron/**'], message: 'The core, CLI and web bridge never load Electron or the renderer.' }] }],
    },
  },
  {
    files: ['src-renderer/**/*.ts'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': ['error', {
        paths: [noElectron],
        patterns: [{ group: ['**/src-main/**', 'node:*', 'better-sqlite3', '@tensorflow/*'], message: 'The renderer sees only src-shared.' }],
      }],
    },
  },
);
