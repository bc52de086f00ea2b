// Builds single-file CommonJS bundles that run with no node_modules beside them,
// and the man pages (man/) from the built CLI's help.
import { chmodSync, copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import { Buffer } from 'node:buffer';
import { writeManPages } from './man.mjs';
import { forbiddenInputs, hookGraphPlugin } from './hook-graph.mjs';

// `npm install -g .` in a fresh clone runs this (prepare) before `npm ci` has installed esbuild: say so plainly.
let build;
try {
  ({ build } = await import('esbuild'));
} catch {
  console.error('build: esbuild is not installed here\n  hint: run `npm ci` in this folder first, then `npm install -g .` (or `npm run build`)');
  process.exit(2);
}

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: false,
  legalComments: 'none',
  logLevel: 'warning',
};

// The hooks' loaders carry their refusal (src/hooks/loader-refusal.ts) as text, compiled only when a bundle cannot load:
// deflated and in base64, since V8 scanning the 120 KB of escaped source as a string literal cost every hook start
// about 4 ms of CPU (decision 0046); 30 KB of base64 scans at once.
const refusal = await build({ ...common, entryPoints: ['src/hooks/loader-refusal.ts'], write: false });
const refusalText = JSON.stringify(deflateSync(Buffer.from(refusal.outputFiles[0].text, 'utf8'), { level: 9 }).toString('base64'));

const entries = [
  // The program: a small loader (src/cli/loader.ts) compiles the CLI's bundle with a V8 code cache in the user's cache folder.
  { in: 'src/cli/main.ts', out: 'dist/gatos.bundle.cjs', banner: '// gatos-gate: the gatos program, compiled by dist/gatos.cjs' },
  { in: 'src/cli/loader.ts', out: 'dist/gatos.cjs', banner: '#!/usr/bin/env node' },
  { in: 'bench/index.ts', out: 'dist/bench.cjs' },
  // The hooks install.sh copies into a bare repository: standalone, no node_modules.
  // Each hook's bundle is compiled by a small loader (src/hooks/loader.ts) that keeps a V8 code cache in $GIT_DIR/gatos/cache.
  // hooks/pre-receive is a shell client of the daemon (src/hooks/pre-receive-stub.sh) that starts pre-receive.cjs when no daemon decides.
  // A hook bundle carries no compiler (decision 0027; the build fails if one reaches it): the compilers are
  // <hook>.compilers.cjs, loaded only to rebuild a policy bundle from its sources (src/hooks/compilers-part.ts).
  { in: 'src/hooks/pre-receive.ts', out: 'hooks/pre-receive.bundle.cjs', banner: '// gatos-gate hook part: the pre-receive hook, compiled by hooks/pre-receive.cjs', hook: 'pre-receive' },
  { in: 'src/bundle/build.ts', out: 'hooks/pre-receive.compilers.cjs', banner: '// gatos-gate hook part: the compilers, loaded by hooks/pre-receive.bundle.cjs to rebuild a policy bundle' },
  { in: 'src/hooks/loader.ts', out: 'hooks/pre-receive.cjs', banner: '#!/usr/bin/env node\n// gatos-gate hook part: the pre-receive hook in Node, run by hooks/pre-receive', define: { GATOS_BUNDLE: '"pre-receive.bundle.cjs"', GATOS_REFUSAL: refusalText } },
  // hooks/update is a shell stub (src/hooks/update-stub.sh) that starts this only when pre-receive left no matching verdict record.
  { in: 'src/hooks/update.ts', out: 'hooks/update.bundle.cjs', banner: '// gatos-gate hook part: the update hook, compiled by hooks/update.cjs', hook: 'update' },
  { in: 'src/bundle/build.ts', out: 'hooks/update.compilers.cjs', banner: '// gatos-gate hook part: the compilers, loaded by hooks/update.bundle.cjs to rebuild a policy bundle' },
  { in: 'src/hooks/loader.ts', out: 'hooks/update.cjs', banner: '#!/usr/bin/env node\n// gatos-gate hook part: the update hook in Node, run by hooks/update', define: { GATOS_BUNDLE: '"update.bundle.cjs"', GATOS_REFUSAL: refusalText } },
];
/** Files copied as they are, executable. */
const copies = [
  { from: 'src/hooks/update-stub.sh', to: 'hooks/update' },
  { from: 'src/hooks/pre-receive-stub.sh', to: 'hooks/pre-receive' },
  // gatosd: `gatos serve` under its own name, loading the CLI's bundle (docs/daemon.md).
  { from: 'src/serve/gatosd.cjs', to: 'dist/gatosd.cjs' },
];

mkdirSync('dist', { recursive: true });
mkdirSync('hooks', { recursive: true });
const forbidden = [];
for (const e of entries) {
  const hook = e.hook ? { plugins: [hookGraphPlugin(process.cwd())], metafile: true, define: { GATOS_COMPILERS: `"${e.hook}.compilers.cjs"` } } : {};
  const r = await build({ ...common, entryPoints: [e.in], outfile: e.out, banner: e.banner ? { js: e.banner } : undefined, define: e.define, ...hook });
  if (e.hook) forbidden.push(...forbiddenInputs(r.metafile, e.out));
  if (e.banner?.startsWith('#!')) chmodSync(e.out, 0o755);
}
if (forbidden.length > 0) {
  console.error(`build: a compiler reached a hook bundle (decision 0027):\n  ${forbidden.join('\n  ')}\n  hint: import the module that needs it from the CLI only, or load it through src/hooks/compilers-part.ts`);
  process.exit(1);
}
/**
 * The stubs' shared part (src/hooks/gate-node.sh) goes in place of their include line: each installed stub stays
 * one file. Its own `# build:` lines are written from src/push/gate-node-env.json, the list the loader and the
 * hook's threads read too: the stub's commands no imported shell function may replace (bash running as sh imports
 * them from the environment), the variables the gate's node starts without, kept or dropped.
 */
const GATE_NODE_LINE = /^# build: gate-node\.sh\b.*\n/m;
const gateNodeEnv = JSON.parse(readFileSync('src/push/gate-node-env.json', 'utf8'));
const NAME = /^[A-Z][A-Z0-9_]*$/;
for (const n of [...gateNodeEnv.kept, ...gateNodeEnv.dropped]) if (!NAME.test(n)) throw new Error(`gate-node-env.json: ${n} is not a variable name`);
for (const c of gateNodeEnv.shellCommands) if (!/^(\[|[a-z]+)$/.test(c)) throw new Error(`gate-node-env.json: ${c} is not a command name`);
const shellWords = (names) => names.map((n) => (n === '[' ? "'['" : n)).join(' ');
const gateNodeParts = {
  'unset the helper variables': () => [`unset ${gateNodeEnv.kept.map((n) => `GATOS_CHAINED_${n}`).join(' ')}`],
  'keep each variable': (indent) =>
    gateNodeEnv.kept.flatMap((n) => [`if [ -n "\${${n}+set}" ]; then`, `  GATOS_CHAINED_${n}=$${n}`, `  export GATOS_CHAINED_${n}`, `  unset ${n}`, 'fi'].map((l) => indent + l)),
  'drop each variable': (indent) => [`${indent}unset ${gateNodeEnv.dropped.join(' ')}`],
};
// Without its own header (up to the first blank line), which is about this file.
const gateNode = readFileSync('src/hooks/gate-node.sh', 'utf8')
  .replace(/^[\s\S]*?\n\n/, '')
  .replace(/^( *)# build: (.*)$/gm, (_, indent, what) => {
    const part = gateNodeParts[what];
    if (!part) throw new Error(`src/hooks/gate-node.sh: unknown "# build: ${what}" line`);
    return part(indent).join('\n');
  });
/** The first line of each stub's code: no function imported from the environment stands in for a command it runs. */
const NO_IMPORTED_FUNCTIONS_LINE = /^# build: no imported functions\b.*$/m;
const noImportedFunctions = `unset -f ${shellWords(gateNodeEnv.shellCommands)}`;
for (const c of copies) {
  if (c.from.endsWith('-stub.sh')) {
    const text = readFileSync(c.from, 'utf8');
    if (!GATE_NODE_LINE.test(text) || !NO_IMPORTED_FUNCTIONS_LINE.test(text)) {
      console.error(`build: ${c.from} lacks its "# build: gate-node.sh" or "# build: no imported functions" line (the shared parts of the stubs)`);
      process.exit(1);
    }
    writeFileSync(c.to, text.replace(NO_IMPORTED_FUNCTIONS_LINE, noImportedFunctions).replace(GATE_NODE_LINE, () => gateNode));
  } else copyFileSync(c.from, c.to);
  chmodSync(c.to, 0o755);
}
const { version } = JSON.parse(readFileSync('package.json', 'utf8'));
await writeManPages('dist/gatos.bundle.cjs', 'man', version);
