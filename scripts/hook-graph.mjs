// What may reach a hook bundle (decision 0027). The hooks decide with compiled artifacts (.rgc, .rgf); the compilers
// (yaml, luaparse, the .rgs, YAML-fold and EchoLua front ends) are needed only to rebuild a bundle from its sources
// (decision 0012), and load then from <hook>.compilers.cjs beside the hook (src/hooks/compilers-part.ts).
import { readFile } from 'node:fs/promises';
import path from 'node:path';

/** Inputs that must never be in a hook bundle's esbuild metafile: each with the reason the check prints. */
export const FORBIDDEN_IN_HOOKS = [
  { pattern: /(^|\/)node_modules\/yaml\//, what: 'the yaml package (a YAML parser)' },
  { pattern: /(^|\/)node_modules\/luaparse\//, what: 'the luaparse package (a Lua parser)' },
  { pattern: /(^|\/)src\/rgs\/(lexer|parser|checker|compile|source|fixtures)\.ts$/, what: 'the .rgs compiler front end' },
  { pattern: /(^|\/)src\/fold\/yaml\/(source|compile|check|lower|body|rules|spec)\.ts$/, what: 'the YAML fold compiler' },
  { pattern: /(^|\/)src\/fold\/echolua\/front\//, what: 'the EchoLua compiler front end' },
  { pattern: /(^|\/)src\/fold\/compile\.ts$/, what: 'the fold compiler' },
  { pattern: /(^|\/)src\/bundle\/build\.ts$/, what: 'the bundle builder (it compiles every source)' },
  { pattern: /(^|\/)src\/gate\/settings-check\.ts$/, what: 'the gate.yaml checker (it parses YAML)' },
];

/** The forbidden inputs of one esbuild metafile's bundle, as lines to print; empty when the bundle is clean. */
export function forbiddenInputs(metafile, outfile) {
  const out = Object.entries(metafile.outputs).find(([o]) => path.resolve(o) === path.resolve(outfile));
  if (!out) return [`${outfile}: not in the metafile (the check cannot see it)`];
  const found = [];
  for (const input of Object.keys(out[1].inputs).sort()) {
    const rule = FORBIDDEN_IN_HOOKS.find((r) => r.pattern.test(input.split(path.sep).join('/')));
    if (rule) found.push(`${outfile} contains ${input}: ${rule.what}`);
  }
  return found;
}

/**
 * The esbuild plugin for the hook bundles: `./build` (in published.ts and load.ts) becomes the lazy compilers part, and our own
 * modules are marked free of side effects (none has any at import: test/build/hook-graph.test.ts), so a barrel's
 * unused re-exports (src/gate/index.ts re-exports the gate.yaml checker) do not drag their imports in.
 */
export function hookGraphPlugin(root) {
  const src = path.join(root, 'src') + path.sep;
  // multiformats builds a dozen base encoders at load (base32pad, base58flickr...), of which CIDs use three: each
  // construction marked pure, esbuild leaves out the ones nothing uses (about 0.5 ms of a cold hook; decision 0046).
  const bases = /[\\/]node_modules[\\/]multiformats[\\/]dist[\\/]src[\\/]bases[\\/][a-z0-9]+\.js$/;
  const viaBuild = new Set([path.join(src, 'bundle', 'published.ts'), path.join(src, 'bundle', 'load.ts'), path.join(src, 'bundle', 'fold-lattices.ts')]);
  return {
    name: 'gatos-hook-graph',
    setup(b) {
      b.onLoad({ filter: bases }, async (args) => ({
        contents: (await readFile(args.path, 'utf8')).replace(/^export const (\w+) = (rfc4648|baseX|from)\(/gm, 'export const $1 = /* @__PURE__ */ $2('),
        loader: 'js',
      }));
      b.onResolve({ filter: /^\.\.?\// }, async (args) => {
        if (args.pluginData === 'inner') return undefined;
        if (viaBuild.has(args.importer) && args.path === './build') return { path: path.join(src, 'hooks', 'compilers-part.ts'), sideEffects: false };
        const r = await b.resolve(args.path, { importer: args.importer, resolveDir: args.resolveDir, kind: args.kind, pluginData: 'inner' });
        if (r.errors.length > 0) return { errors: r.errors };
        return { ...r, sideEffects: r.path.startsWith(src) ? false : r.sideEffects };
      });
    },
  };
}
