/**
 * The root jest config plus a mapping for the packages that publish only ES
 * modules behind an "import" export condition (cborg, @ipld/dag-cbor,
 * multiformats): jest resolves with "require" and cannot find them otherwise.
 * Until the root config carries the same moduleNameMapper, run the canon
 * tests with: npx jest -c test/canon/jest.config.cjs test/canon
 */
const path = require('node:path');
const base = require('../../jest.config.cjs');

module.exports = {
  ...base,
  rootDir: path.resolve(__dirname, '../..'),
  moduleNameMapper: {
    ...(base.moduleNameMapper ?? {}),
    '^cborg$': '<rootDir>/node_modules/cborg/cborg.js',
    '^@ipld/dag-cbor$': '<rootDir>/node_modules/@ipld/dag-cbor/src/index.js',
    '^multiformats$': '<rootDir>/node_modules/multiformats/dist/src/index.js',
    '^multiformats/(.*)$': '<rootDir>/node_modules/multiformats/dist/src/$1.js',
  },
};
