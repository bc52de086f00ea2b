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
  // The hooks install.sh copies into a bare repository: standalone, no node_modules.
  { in: 'src/hooks/pre-receive.ts', out: 'hooks/pre-receive', banner: '#!/usr/bin/env node\n// gatos-gate hook: installed by gatos install; a previous hook is kept as pre-receive.gatos-chained' },
  { in: 'src/hooks/update.ts', out: 'hooks/update', banner: '#!/usr/bin/env node\n// gatos-gate hook: installed by gatos install; a previous hook is kept as update.gatos-chained' },
];

mkdirSync('dist', { recursive: true });
mkdirSync('hooks', { recursive: true });
for (const e of entries) {
  await build({ ...common, entryPoints: [e.in], outfile: e.out, banner: e.banner ? { js: e.banner } : undefined });
  if (e.banner) chmodSync(e.out, 0o755);
}
