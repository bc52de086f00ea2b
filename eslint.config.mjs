import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'hooks/**', 'coverage/**'] },
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
    files: ['src/canon/**', 'src/core/**', 'src/rgs/**', 'src/fold/**', 'src/trailers/**', 'src/gate/**', 'src/actors/**', 'src/trust/**'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['node:fs', 'fs', 'node:fs/*', 'fs/*', 'node:child_process', 'child_process', 'node:os', 'os', 'node:net', 'node:http', 'node:worker_threads'], message: 'the pure core must not touch the disk, processes or the network: use an adapter' },
          { group: ['**/git/**', '**/cli/**', '**/adapters/**'], message: 'the pure core must not depend on adapters' },
        ],
      }],
      'no-restricted-globals': ['error', { name: 'process', message: 'the pure core must not read the environment or the clock' }],
      'no-restricted-properties': ['error',
        { object: 'Date', property: 'now', message: 'the caller supplies now' },
        { object: 'Math', property: 'random', message: 'no ambient randomness in the core' },
      ],
    },
  },
  {
    files: ['**/*.cjs', '**/*.mjs'],
    languageOptions: { globals: { require: 'readonly', module: 'writable', process: 'readonly', console: 'readonly', __dirname: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
