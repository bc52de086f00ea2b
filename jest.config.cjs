// Packages that ship only ES modules; swc turns them into CommonJS for jest.
const esmOnly = ['@ipld', 'multiformats', 'cborg', '@noble'];

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // The 100,000-event push runs in a jest process of its own after the rest
  // (`npm run test:large`, decision 0035). In a shared worker it left the
  // worker at about 5 GB resident, and every later suite in that worker paid
  // for it on each git spawn (the fork copies the page tables): the template
  // suites went from about 90 s to 250 s each.
  testPathIgnorePatterns: process.env.GATOS_LARGE_PUSH === '1' ? ['/node_modules/'] : ['/node_modules/', '/test/hooks/large-push\\.test\\.ts$'],
  transform: {
    '^.+\\.(t|j|mj)s$': [
      '@swc/jest',
      {
        jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
        module: { type: 'commonjs' },
      },
    ],
  },
  transformIgnorePatterns: [`/node_modules/(?!(${esmOnly.join('|')})/)`],
  // Those packages expose their files only under the "import" export condition,
  // which jest's resolver does not use; point it at the files directly.
  moduleNameMapper: {
    '^cborg$': '<rootDir>/node_modules/cborg/cborg.js',
    '^@ipld/dag-cbor$': '<rootDir>/node_modules/@ipld/dag-cbor/src/index.js',
    '^multiformats$': '<rootDir>/node_modules/multiformats/dist/src/index.js',
    '^multiformats/(.*)$': '<rootDir>/node_modules/multiformats/dist/src/$1.js',
  },
  // Property tests (fast-check) say in their failure how to replay the case: seed, path and command.
  setupFilesAfterEnv: ['<rootDir>/test/helpers/fast-check-seed.ts'],
  // The processes tests start skip NODE_EXTRA_CA_CERTS (test/helpers/child-env.ts).
  setupFiles: ['<rootDir>/test/helpers/child-env.ts'],
  moduleFileExtensions: ['ts', 'js', 'mjs', 'cjs', 'json'],
  testTimeout: 60000,
  // The end-to-end suites spend most of their time waiting on git, sshd and
  // the hooks' own Node processes: one worker per core, not jest's cores-1,
  // keeps both cores busy (the full suite: 1,097 s with one worker).
  maxWorkers: '100%',
  reporters: ['default', '<rootDir>/test/helpers/summary-reporter.cjs'],
};
