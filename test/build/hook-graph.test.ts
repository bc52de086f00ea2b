/**
 * The hook bundles carry no compiler (decision 0027): scripts/build.mjs fails
 * when yaml, luaparse or a compiler front end reaches one. Both halves are
 * shown on real esbuild builds of the pre-receive hook: the check finds the
 * compilers in the import graph as it was before the cut, and none in the
 * graph the build now uses.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { build, type Metafile, type Plugin } from 'esbuild';
import { forbiddenInputs, hookGraphPlugin } from '../../scripts/hook-graph.mjs';

const root = path.resolve(__dirname, '..', '..');
let dir = '';
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'gatos-hook-graph-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function bundle(plugins: Plugin[]): Promise<{ metafile: Metafile; out: string }> {
  const out = path.join(dir, `pre-receive-${plugins.length}.cjs`);
  const r = await build({
    absWorkingDir: root,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    entryPoints: ['src/hooks/pre-receive.ts'],
    outfile: out,
    metafile: true,
    logLevel: 'silent',
    plugins,
    define: { GATOS_COMPILERS: '"pre-receive.compilers.cjs"' },
  });
  return { metafile: r.metafile, out };
}

test('the check fails a hook bundle built without the cut: it names yaml, luaparse and the front ends', async () => {
  const { metafile, out } = await bundle([]);
  const found = forbiddenInputs(metafile, out).join('\n');
  expect(found).toMatch(/node_modules\/yaml\/.*: the yaml package/);
  expect(found).toMatch(/node_modules\/luaparse\/.*: the luaparse package/);
  expect(found).toContain('src/rgs/parser.ts: the .rgs compiler front end');
  expect(found).toContain('src/fold/echolua/front/parse.ts: the EchoLua compiler front end');
  expect(found).toContain('src/bundle/build.ts: the bundle builder');
});

test('the hook bundle the build makes has no compiler in it, and loads the compilers part lazily', async () => {
  const { metafile, out } = await bundle([hookGraphPlugin(root)]);
  expect(forbiddenInputs(metafile, out)).toEqual([]);
  expect(Object.keys(metafile.inputs)).toContain('src/hooks/compilers-part.ts');
  expect(readFileSync(out, 'utf8')).toContain('pre-receive.compilers.cjs');
});

test('no module under src is imported for its side effects alone (the plugin marks them all side-effect free)', () => {
  const bare: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (p.endsWith('.ts') && /^import\s+['"]/m.test(readFileSync(p, 'utf8'))) bare.push(path.relative(root, p));
    }
  };
  walk(path.join(root, 'src'));
  expect(bare).toEqual([]);
});

test('a missing compilers part fails the rebuild with GATE_ERROR and a hint (the bundle is refused, never accepted)', async () => {
  (globalThis as { GATOS_COMPILERS?: string }).GATOS_COMPILERS = 'no-such.compilers.cjs';
  try {
    const { buildBundle } = await import('../../src/hooks/compilers-part');
    const r = buildBundle(new Map());
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('GATE_ERROR');
      expect(r.error.message).toContain('no-such.compilers.cjs');
      expect(r.error.hint).toContain('reinstall the gate');
    }
  } finally {
    delete (globalThis as { GATOS_COMPILERS?: string }).GATOS_COMPILERS;
  }
});

test('a missing compilers part leaves a fold error naming its event only: the source line is never guessed', async () => {
  (globalThis as { GATOS_COMPILERS?: string }).GATOS_COMPILERS = 'no-such.compilers.cjs';
  try {
    const { lazySourceOrigin } = await import('../../src/hooks/compilers-part');
    let asked = 0;
    const origin = lazySourceOrigin(
      () => {
        asked += 1;
        return 'function step(s, e) return s end';
      },
      'gatos/folds/x.lua',
      new Uint8Array([1, 2, 3]),
    );
    expect(origin(0)).toBeUndefined();
    expect(origin(1)).toBeUndefined();
    // The part failed to load, so the source was never read or compiled.
    expect(asked).toBe(0);
  } finally {
    delete (globalThis as { GATOS_COMPILERS?: string }).GATOS_COMPILERS;
  }
});

test('a missing compilers part refuses a YAML fold\'s lattices with GATE_ERROR (a session merge is refused, never accepted)', async () => {
  (globalThis as { GATOS_COMPILERS?: string }).GATOS_COMPILERS = 'no-such.compilers.cjs';
  try {
    const { yamlFoldLattices } = await import('../../src/hooks/compilers-part');
    const r = yamlFoldLattices('version: 1\n', 'gatos/folds/x.yaml');
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('GATE_ERROR');
      expect(r.error.message).toContain('no-such.compilers.cjs');
      expect(r.error.hint).toContain('reinstall the gate');
    }
  } finally {
    delete (globalThis as { GATOS_COMPILERS?: string }).GATOS_COMPILERS;
  }
});
