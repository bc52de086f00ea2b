#!/usr/bin/env node
// gatosd [options]: `gatos serve [options]` under the daemon's own name (docs/daemon.md).
// Copied beside dist/gatos.bundle.cjs by scripts/build.mjs: the CLI's bundle, loaded as a module, runs nothing by itself.
'use strict';
const { main } = require('./gatos.bundle.cjs');
main(['serve', ...process.argv.slice(2)]).then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    process.stderr.write(`gatosd: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 3;
  },
);
