import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** The pure core (docs/ARCHITECTURE.md): takes bytes and values, never the disk, a process, the clock or the environment. */
const PURE_CORE = ['canon', 'core', 'rgs', 'fold', 'trailers', 'gate', 'actors', 'trust'];
/**
 * Folders that reach git, files, the clock or the terminal: the adapters,
 * and the producer folders whose edge reads and writes git. None may be
 * imported by the pure core, however the path is spelt: '../git',
 * '../../git/parse-commit', './x/../../git', '../../src/git'.
 */
const ADAPTERS = ['git', 'hooks', 'push', 'cli', 'workspace', 'keys', 'adapters', 'events', 'bundle', 'checkpoint'];
const ADAPTER_IMPORT = `(^|/)\\.\\./(src/)?(${ADAPTERS.join('|')})(/|$)`;

export default tseslint.config(
  // test/lint/fixtures holds probes that must fail lint (test/lint/pure-core-fence.test.ts lints them on purpose).
  { ignores: ['dist/**', 'node_modules/**', 'hooks/**', 'coverage/**', 'test/lint/fixtures/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    // The pure core never reaches the disk, a process, the clock or the environment.
    files: PURE_CORE.map((f) => `src/${f}/**`),
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['node:fs', 'fs', 'node:fs/*', 'fs/*', 'node:child_process', 'child_process', 'node:os', 'os', 'node:net', 'node:http', 'node:worker_threads'], message: 'the pure core must not touch the disk, processes or the network: use an adapter' },
          { regex: ADAPTER_IMPORT, message: 'the pure core must not depend on adapters (docs/ARCHITECTURE.md): take the value as a parameter, or move the code to an adapter' },
        ],
      }],
      'no-restricted-globals': ['error', { name: 'process', message: 'the pure core must not read the environment or the clock' }],
      // A dynamic import would step over the import fence above (require() is refused by no-require-imports).
      'no-restricted-syntax': ['error', { selector: 'ImportExpression', message: 'the pure core loads no module at run time: import it statically (and never an adapter)' }],
      'no-restricted-properties': ['error',
        { object: 'Date', property: 'now', message: 'the caller supplies now' },
        { object: 'Math', property: 'random', message: 'no ambient randomness in the core' },
      ],
    },
  },
  {
    // src/hooks holds the hooks' entry points, loaders and install: callers reach the push engine in src/push, never a hook.
    files: ['src/**/*.ts'],
    ignores: [...PURE_CORE.map((f) => `src/${f}/**`), 'src/hooks/**', 'src/cli/commands/install.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ regex: '(^|/)\\.\\./(src/)?hooks(/|$)', message: 'src/hooks holds entry points, loaders and install only: import the push engine from src/push' }],
      }],
    },
  },
  {
    files: ['**/*.cjs', '**/*.mjs'],
    languageOptions: { globals: { require: 'readonly', module: 'writable', process: 'readonly', console: 'readonly', __dirname: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
