/**
 * No module-level mutable state in the pure core or the push engine
 * (eslint.config.mjs MODULE_STATE, docs/ARCHITECTURE.md "State"). The
 * committed probe (fixtures/module-state.ts) is linted with the project's
 * own config as if it sat in each such folder: every line it marks
 * `// refused` must be an error there, every other line clean; in an adapter
 * folder outside the rule (src/hooks) it lints clean. The sites that step
 * over the rule with an eslint-disable comment are exactly the allow-list
 * below, each a memo of a pure function or a sentinel: adding one is a
 * decision this test makes visible.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

jest.setTimeout(120_000);

const ROOT = path.resolve(__dirname, '../..');
const FIXTURE = 'test/lint/fixtures/module-state.ts';
const PROBE = readFileSync(path.join(ROOT, FIXTURE), 'utf8');
const FOLDERS = ['canon', 'core', 'rgs', 'fold', 'trailers', 'gate', 'actors', 'trust', 'push'] as const;
const refusedLines = PROBE.split('\n').flatMap((l, i) => (l.endsWith('// refused') ? [i + 1] : []));

/** Every site allowed to keep module state: file, and the declaration on the line after the disable comment. */
const ALLOWED = [
  'src/canon/cbor-scan.ts: const TEXT_CACHE: (string | undefined)[] = new Array<string | undefined>(512).fill(undefined);',
  'src/canon/ed25519.ts: const keyCache = new Map<string, KeyObject | null>();',
  'src/fold/echolua/vm/bridge.ts: const keyCache = new Map<string, string>();',
  'src/fold/echolua/vm/bridge.ts: export const EMPTY_LISTS = new WeakSet<LuaTable>();',
  'src/fold/echolua/vm/lattice.ts: const NONE: Value[] = [];',
  'src/fold/echolua/vm/compile.ts: const EMPTY: Value[] = [];',
  'src/fold/echolua/vm/compile.ts: const ONE: Value[] = [];',
  'src/fold/echolua/vm/stdlib.ts: const NONE: Value[] = [];',
  'src/fold/echolua/vm/values.ts: const NO_ITEMS: Value[] = [];',
  'src/rgs/reason.ts: const fnCache = new WeakMap<object, Fn>();',
  'src/rgs/reason.ts: const textCache = new WeakMap<object, string>();',
  'src/rgs/rule-index.ts: const cache = new WeakMap<readonly PreparedRule[], RuleIndex>();',
];

interface Linted {
  cases: { ruleId: string | null; line: number; message: string }[][];
  ignored: boolean[];
}

function lintAll(): Linted {
  const cases = [...FOLDERS.map((f) => ({ code: PROBE, filePath: `src/${f}/probe.ts` })), { code: PROBE, filePath: 'src/hooks/probe.ts' }];
  const r = spawnSync(process.execPath, [path.join(ROOT, 'scripts/lint-probe.mjs')], { cwd: ROOT, input: JSON.stringify({ cases, ignored: [FIXTURE] }), encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`lint-probe failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as Linted;
}

function filesUnder(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(`${dir}/${e.name}`) : e.name.endsWith('.ts') ? [`${dir}/${e.name}`] : []));
}

const stateErrors = (ms: Linted['cases'][number]) => ms.filter((m) => m.ruleId === 'no-restricted-syntax').map((m) => m.line).sort((a, b) => a - b);

describe('no module-level mutable state in the pure core and src/push', () => {
  let linted: Linted;
  beforeAll(() => {
    linted = lintAll();
  });

  test('the probe is not linted by npm run lint (it is meant to fail)', () => {
    expect(linted.ignored).toEqual([true]);
  });

  test.each(FOLDERS.map((f, i) => [f, i] as const))('every refused line of the probe is an error in src/%s, and nothing else', (_folder, i) => {
    expect(refusedLines.length).toBe(11);
    expect(stateErrors(linted.cases[i] ?? [])).toEqual(refusedLines);
  });

  test('adapters outside the rule (src/hooks) may keep process state', () => {
    expect(stateErrors(linted.cases[FOLDERS.length] ?? [])).toEqual([]);
  });

  test('the sites that step over the rule are exactly the allow-list', () => {
    const found: string[] = [];
    for (const f of FOLDERS.flatMap((d) => filesUnder(`src/${d}`))) {
      const lines = readFileSync(path.join(ROOT, f), 'utf8').split('\n');
      lines.forEach((l, i) => {
        if (l.includes('eslint-disable') && l.includes('no-restricted-syntax')) found.push(`${f}: ${(lines[i + 1] ?? '').trim()}`);
      });
    }
    expect(found.sort()).toEqual([...ALLOWED].sort());
  });
});
