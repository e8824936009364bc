// @ts-check
/**
 * ESLint (flat config): the recommended JavaScript and typescript-eslint rules, a few type-aware rules that catch
 * real bugs in an extension (a promise nobody awaits, a promise where VS Code expects a plain callback), and the
 * layers of the architecture as import rules:
 *
 *   src/shared   (leaf: browser-safe, bundled into the webviews too)
 *     ↑
 *   src/api, src/image   (pure Node; never `vscode`, never each other)
 *     ↑
 *   src/core     (pure Node)
 *     ↑
 *   src/vscode   (the only code that talks to VS Code)
 *     ↑
 *   src/extension.ts, src/main.ts   (the bundles' entry points)
 *
 *   src/webview  (scripts running in a webview: only src/webview, src/shared and `three`)
 *
 * The layer rules use eslint-plugin-import-x's `no-restricted-paths`, which compares *resolved* files rather than
 * the import's text (so `../core/x`, `../../src/core/x` and `./../core/x` are all caught). Cycles are found by a
 * small rule of ours (scripts/eslint-rules/no-import-cycles.mjs) because import-x's `no-cycle` skips type-only
 * imports.
 * import-x rather than eslint-plugin-import: it is the maintained fork written for flat config, ESLint 9 and
 * typescript-eslint, and it resolves without a separate resolver package. `vscode` is not a file to resolve (only
 * its types are installed), so it is restricted by name.
 *
 * Tests (test/**) get the recommended rules only: no layers (a test may reach into any layer), no type-aware rules
 * (node:test's `test()` returns a promise that is deliberately not awaited at the top level).
 */
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import { noImportCycles } from './scripts/eslint-rules/no-import-cycles.mjs';

/** The folders under src/ that form layers, and what each may import from src/ besides itself. */
const LAYERS = {
  shared: [],
  api: ['shared'],
  image: ['shared'],
  core: ['api', 'image', 'shared'],
  webview: ['shared'],
  // src/vscode may import every layer but the entry points (covered by ENTRY_POINTS below).
};

/** The only files besides src/vscode/** that may import `vscode`: the bundles' entry points. */
const ENTRY_POINTS = ['src/extension.ts', 'src/main.ts'];

/** The parts of src/ that LAYERS does not already confine (so that one import gets one message). */
const UNLAYERED = ['./src/vscode', './src/types', ...ENTRY_POINTS.map((file) => `./${file}`)];

const VSCODE_ONLY_THERE = 'Only src/vscode/** and the entry points (src/extension.ts, src/main.ts) may import `vscode`: the other layers stay pure Node so that unit tests and workers can load them.';

export default defineConfig(
  {
    ignores: ['dist/**', 'out/**', '.tools/**', 'node_modules/**', '.vscode-test/**', '.test-output/**', '**/*.vsix'],
  },
  {
    linterOptions: {
      // A disable comment that no longer disables anything is stale: say so, so that it is removed.
      reportUnusedDisableDirectives: 'error',
    },
  },

  // ------------------------------------------------------------------------ plain JavaScript (build scripts, config)
  {
    files: ['**/*.mjs', '**/*.cjs', '**/*.js'],
    extends: [js.configs.recommended],
    languageOptions: { globals: globals.node },
  },

  // ------------------------------------------------------------------------------------------- all TypeScript
  {
    files: ['**/*.ts'],
    extends: [js.configs.recommended, tseslint.configs.recommended],
    rules: {
      // tsc's noUnusedLocals reports unused locals already; this adds unused parameters and catch bindings, with the
      // usual escape hatch of a leading underscore.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },

  // ----------------------------------------------------------------------------------------- src: type-aware rules
  {
    files: ['src/**/*.ts'],
    ignores: ['src/**/*.d.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // A promise whose failure nobody sees: an error that silently vanishes (mark deliberate ones with `void`).
      '@typescript-eslint/no-floating-promises': 'error',
      // An async function passed where VS Code calls a plain callback (its rejection is lost) or a promise in an if.
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
    },
  },

  // ---------------------------------------------------------------------------------------------- src: the layers
  {
    files: ['src/**/*.ts'],
    plugins: { 'import-x': importX, multiview: { rules: { 'no-import-cycles': noImportCycles } } },
    settings: {
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.d.ts', '.js', '.mjs', '.cjs', '.json'] })],
    },
    rules: {
      'import-x/no-restricted-paths': [
        'error',
        {
          zones: [
            ...Object.entries(LAYERS).map(([layer, allowed]) => ({
              target: `./src/${layer}`,
              from: './src',
              except: [`./${layer}`, ...allowed.map((other) => `./${other}`)],
              message: `src/${layer} may import only from ${[layer, ...allowed].map((l) => `src/${l}`).join(', ')} (see the layers in eslint.config.mjs).`,
            })),
            {
              target: './src/vscode',
              from: ENTRY_POINTS.map((file) => `./${file}`),
              message: 'The entry points import src/vscode, not the other way round.',
            },
            {
              target: UNLAYERED,
              from: './src/webview',
              message: 'src/webview runs in a webview, a separate bundle: share code through src/shared instead.',
            },
            {
              target: UNLAYERED,
              from: './src/bundleShims',
              message: 'src/bundleShims are esbuild aliases (scripts/build.mjs) for packages axios requires; import the package, never the shim.',
            },
            {
              target: './src/bundleShims',
              from: './src',
              except: ['./bundleShims'],
              message: 'A bundle shim stands in for a package: it imports nothing of ours.',
            },
          ],
        },
      ],
      // Not import-x/no-cycle: it ignores type-only imports (see scripts/eslint-rules/no-import-cycles.mjs).
      'multiview/no-import-cycles': ['error', { root: `${import.meta.dirname}/src` }],
      'import-x/no-self-import': 'error',
      '@typescript-eslint/no-restricted-imports': ['error', { paths: [{ name: 'vscode', message: VSCODE_ONLY_THERE }] }],
      'no-restricted-syntax': [
        'error',
        { selector: "CallExpression[callee.name='require'][arguments.0.value='vscode']", message: VSCODE_ONLY_THERE },
        { selector: "ImportExpression[source.value='vscode']", message: VSCODE_ONLY_THERE },
      ],
    },
  },
  {
    files: ['src/vscode/**/*.ts', ...ENTRY_POINTS],
    rules: {
      '@typescript-eslint/no-restricted-imports': 'off',
      'no-restricted-syntax': 'off',
    },
  },
  {
    // Bundled into the webviews: no Node built-ins.
    files: ['src/shared/**/*.ts'],
    rules: {
      'import-x/no-nodejs-modules': 'error',
    },
  },
  {
    // A webview script: no Node, and no package but `three` (the 3D viewer).
    files: ['src/webview/**/*.ts'],
    rules: {
      'import-x/no-nodejs-modules': 'error',
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'vscode', message: VSCODE_ONLY_THERE }],
          patterns: [
            {
              regex: '^(?![./]|three(/|$))',
              message: 'A webview script imports only src/webview, src/shared and `three`.',
            },
          ],
        },
      ],
    },
  },

  // ---------------------------------------------------------------------------------------------------- tests
  {
    files: ['test/**/*.ts'],
    rules: {
      // Tests load the built bundles (dist/*.js) by computed path, as VS Code does.
      '@typescript-eslint/no-require-imports': 'off',
      // Tests read arbitrary JSON answers and files, whose shape is what they assert.
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
);
