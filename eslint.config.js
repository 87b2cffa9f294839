// Layering is enforced here, not remembered: see ../shared/design/ARCHITECTURE.md.
import tseslint from 'typescript-eslint';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';

const noElectron = { name: 'electron', message: 'Only src-main/electron may import electron.' };

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'dist-electron/**', '.tsbuild/**', '.scratch/**', 'release/**', 'test-artifacts/**'] },
  ...tseslint.configs.recommended,
  ...svelte.configs.recommended,
  {
    // Components' <script lang="ts"> go through TypeScript's parser, as .ts files do.
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.svelte'] } },
    rules: {
      // State classes keep collections in $state.raw and replace them whole (a new Set per change), so
      // a plain Set or Map is the reactive pattern here, not a missed SvelteSet.
      'svelte/prefer-svelte-reactivity': 'off',
    },
  },
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
    // The core is transport-neutral: the hosts depend on it, never the other way round.
    files: ['src-main/lab/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [noElectron],
        patterns: [
          { group: ['electron/*', '**/src-renderer/**', '**/electron/**'], message: 'The core never loads Electron or the renderer.' },
          { group: ['**/web/**', '**/cli/**'], message: 'src-main/lab is the core: the web bridge and the CLI depend on it, never the reverse.' },
        ],
      }],
    },
  },
  {
    files: ['src-main/cli/**/*.ts', 'src-main/web/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [noElectron], patterns: [{ group: ['electron/*', '**/src-renderer/**', '**/electron/**'], message: 'The core, CLI and web bridge never load Electron or the renderer.' }] }],
    },
  },
  {
    files: ['src-renderer/**/*.ts', 'src-renderer/**/*.svelte'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      // The app never asks which DOM it runs in (a test DOM included): it checks for what it needs.
      // Media state comes from Svelte's MediaQuery (lib/color-scheme.svelte.ts), not hand-kept listeners.
      'no-restricted-properties': ['error',
        { object: 'navigator', property: 'userAgent', message: 'Check for the capability (e.g. a null canvas context), not the user agent.' },
        { object: 'window', property: 'matchMedia', message: "Use a MediaQuery from 'svelte/reactivity' (prefersDark in lib/color-scheme.svelte.ts)." },
      ],
      'no-restricted-globals': ['error', { name: 'matchMedia', message: "Use a MediaQuery from 'svelte/reactivity' (prefersDark in lib/color-scheme.svelte.ts)." }],
      'no-restricted-imports': ['error', {
        paths: [noElectron],
        patterns: [{ group: ['**/src-main/**', 'node:*', 'better-sqlite3', '@tensorflow/*'], message: 'The renderer sees only src-shared.' }],
      }],
    },
  },
);
