// Builds single-file CommonJS bundles that run with no node_modules beside them.
import { build } from 'esbuild';
import { chmodSync, mkdirSync } from 'node:fs';

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: false,
  legalComments: 'none',
  logLevel: 'warning',
};

const entries = [
  { in: 'src/cli/main.ts', out: 'dist/gatos.cjs', banner: '#!/usr/bin/env node' },
  { in: 'bench/index.ts', out: 'dist/bench.cjs' },
];

mkdirSync('dist', { recursive: true });
for (const e of entries) {
  await build({ ...common, entryPoints: [e.in], outfile: e.out, banner: e.banner ? { js: e.banner } : undefined });
  if (e.banner) chmodSync(e.out, 0o755);
}
