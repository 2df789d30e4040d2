// @ts-check
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import { importX } from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';

/** Test code: `*.test.ts(x)`, every `testing/` folder, the server's infrastructure tests and all of scripts/. */
const TEST_FILES = ['**/*.test.ts', '**/*.test.tsx', '**/testing/**', 'sync-server/test/**', 'scripts/**'];

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      '.output/',
      '.wxt/',
      'data/',
      'coverage/',
      'sync-server/console/dist/',
      'sync-server/dist/',
      '**/*.html',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        // Two programs: the extension + schema + scripts, and the server (which also owns scripts/bench).
        project: ['./tsconfig.json', './sync-server/tsconfig.json'],
        tsconfigRootDir: import.meta.dirname,
      },
    },
    plugins: { 'import-x': importX },
    settings: {
      // Lets import-x parse the TypeScript files it follows; without it no-cycle sees no edges at all.
      ...importX.flatConfigs.typescript.settings,
      'import-x/resolver-next': [
        createTypeScriptImportResolver({
          project: ['./tsconfig.json', './sync-server/tsconfig.json'],
          noWarnOnMultipleProjects: true,
        }),
      ],
    },
    rules: {
      // Dependencies point one way (entrypoints → features → schema); a cycle is a boundary drawn wrong.
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'import-x/no-duplicates': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
    },
  },
  {
    // Production code never reaches into test support: fakes and fixtures stay out of every build.
    ignores: TEST_FILES,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/testing', '**/testing/**', '@codesight/schema/testing'],
              message: 'test support is for tests only',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  { files: ['scripts/dev/**/*.mjs', 'eslint.config.js'], languageOptions: { globals: globals.node } },
  { files: ['scripts/e2e/fixture-shop/site/**/*.js'], languageOptions: { globals: globals.browser } },
);
