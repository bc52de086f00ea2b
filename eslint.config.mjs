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
const ADAPTERS = ['git', 'hooks', 'push', 'install', 'cli', 'workspace', 'keys', 'adapters', 'events', 'bundle', 'checkpoint', 'ops'];
const ADAPTER_IMPORT = `(^|/)\\.\\./(src/)?(${ADAPTERS.join('|')})(/|$)`;

/**
 * No module-level mutable state in the pure core and the push engine (docs/ARCHITECTURE.md, "State"): what a
 * function returns must not depend on what ran before it in the process (the daemon serves many pushes in one).
 * A module-level `let`/`var`, a Map/Set/WeakMap/WeakSet not declared ReadonlyMap/ReadonlySet, and an array not
 * declared readonly are refused; per-run state is passed explicitly. test/lint/module-state.test.ts proves it bites.
 */
const TOP = ':matches(Program, Program > ExportNamedDeclaration) > VariableDeclaration';
const MODULE_STATE = [
  { selector: `${TOP}[kind=/^(let|var)$/]`, message: 'no module-level let/var here: pass per-run state explicitly (docs/ARCHITECTURE.md, State)' },
  { selector: `${TOP} > VariableDeclarator:not([id.typeAnnotation]) > NewExpression.init[callee.name=/^(Map|Set|WeakMap|WeakSet|Array)$/]`, message: 'a module-level collection is shared by every run: declare a constant one ReadonlyMap/ReadonlySet, or pass per-run state explicitly' },
  { selector: `${TOP} > VariableDeclarator > Identifier.id > TSTypeAnnotation > TSTypeReference.typeAnnotation[typeName.name=/^(Map|Set|WeakMap|WeakSet|Array)$/]`, message: 'a module-level collection is shared by every run: declare a constant one ReadonlyMap/ReadonlySet, or pass per-run state explicitly' },
  { selector: `${TOP} > VariableDeclarator > Identifier.id > TSTypeAnnotation > TSArrayType.typeAnnotation`, message: 'a module-level array is shared by every run: declare it readonly, or pass per-run state explicitly' },
  { selector: `${TOP} > VariableDeclarator:not([id.typeAnnotation]) > ArrayExpression.init`, message: 'a module-level array is shared by every run: declare it readonly (as const, or a readonly type), or pass per-run state explicitly' },
];

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
      'no-restricted-syntax': ['error', { selector: 'ImportExpression', message: 'the pure core loads no module at run time: import it statically (and never an adapter)' }, ...MODULE_STATE],
      'no-restricted-properties': ['error',
        { object: 'Date', property: 'now', message: 'the caller supplies now' },
        { object: 'Math', property: 'random', message: 'no ambient randomness in the core' },
      ],
    },
  },
  {
    files: ['src/push/**/*.ts'],
    rules: { 'no-restricted-syntax': ['error', ...MODULE_STATE] },
  },
  {
    // src/hooks holds the hooks' entry points and loaders: callers reach the push engine in src/push, never a hook.
    // src/serve is the one exception: the daemon runs the pre-receive hook's own run (runHook) for its clients.
    files: ['src/**/*.ts'],
    ignores: [...PURE_CORE.map((f) => `src/${f}/**`), 'src/hooks/**', 'src/serve/**'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ regex: '(^|/)\\.\\./(src/)?hooks(/|$)', message: 'src/hooks holds entry points and loaders only: import the push engine from src/push' }],
      }],
    },
  },
  {
    files: ['**/*.cjs', '**/*.mjs'],
    languageOptions: { globals: { require: 'readonly', module: 'writable', process: 'readonly', console: 'readonly', __dirname: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
