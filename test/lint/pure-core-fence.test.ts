/**
 * The pure core's fence (eslint.config.mjs): a file in a pure-core folder
 * may not import an adapter, in any spelling of the path. The committed
 * probe (fixtures/pure-core-imports-adapter.ts, left out of the ordinary
 * lint run) is linted with the project's own config as if it sat in each
 * pure-core folder, and every one of its adapter imports must be an error;
 * removing or weakening the fence makes this test fail. Imports the core
 * legitimately makes still lint clean. Outside src/hooks, nothing but the
 * install command may import a hook.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

jest.setTimeout(120_000);

const ROOT = path.resolve(__dirname, '../..');
const FIXTURE = 'test/lint/fixtures/pure-core-imports-adapter.ts';
const PROBE = readFileSync(path.join(ROOT, FIXTURE), 'utf8');
const PURE = ['canon', 'core', 'rgs', 'fold', 'trailers', 'gate', 'actors', 'trust'] as const;
const importLines = PROBE.split('\n').map((l, i) => ({ line: i + 1, text: l })).filter((l) => l.text.startsWith('import '));

const DEEPER = ["import { openRepo } from '../../git';", "import { runHook } from '../../hooks';", "import { x } from '../../events/verify';", 'export const y = [openRepo, runHook, x] as const;', ''].join('\n');
const LEGIT = ["import { ok } from '../core/result';", "import { sha256 } from '../canon/digest';", "import { x } from './bundle';", "import { y } from './checkpoint';", 'export const z = [ok, sha256, x, y] as const;', ''].join('\n');

/** Outside src/hooks nothing imports a hook (the engine is src/push; installing them is src/install). */
const CALLS_A_HOOK = ["import { runHook } from '../hooks/run-hook';", "import { install } from '../../hooks/install';", 'export const w = [runHook, install] as const;', ''].join('\n');
const HOOK_CALLERS = ['src/push/probe.ts', 'src/cli/commands/probe.ts', 'src/install/probe.ts', 'src/hooks/probe.ts'] as const;

interface Linted {
  cases: { ruleId: string | null; line: number; message: string }[][];
  ignored: boolean[];
}

/** Every case linted in one eslint process (scripts/lint-probe.mjs), with the project's config. */
function lintAll(): Linted {
  const cases = [
    ...PURE.map((f) => ({ code: PROBE, filePath: `src/${f}/probe.ts` })),
    { code: DEEPER, filePath: 'src/fold/echolua/probe.ts' },
    { code: LEGIT, filePath: 'src/gate/probe.ts' },
    { code: PROBE, filePath: 'src/hooks/probe.ts' },
    ...HOOK_CALLERS.map((filePath) => ({ code: CALLS_A_HOOK, filePath })),
  ];
  const r = spawnSync(process.execPath, [path.join(ROOT, 'scripts/lint-probe.mjs')], { cwd: ROOT, input: JSON.stringify({ cases, ignored: [FIXTURE] }), encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`lint-probe failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as Linted;
}

const FENCE_RULES = ['no-restricted-imports', 'no-restricted-syntax', '@typescript-eslint/no-require-imports'];
const restrictedLines = (ms: Linted['cases'][number]) => ms.filter((m) => m.ruleId !== null && FENCE_RULES.includes(m.ruleId)).map((m) => m.line).sort((a, b) => a - b);
/** The probe's lines that load an adapter: every static import, the dynamic import and the require(). */
const fencedLines = PROBE.split('\n').flatMap((l, i) => (l.startsWith('//') ? [] : l.startsWith('import ') || l.includes("import('") || l.includes('require(') ? [i + 1] : []));

describe('the pure core may not import adapters', () => {
  let linted: Linted;
  beforeAll(() => {
    linted = lintAll();
  });

  test('the probe is not linted by npm run lint (it is meant to fail)', () => {
    expect(linted.ignored).toEqual([true]);
  });

  test.each(PURE.map((f, i) => [f, i] as const))('every adapter import of the probe is an error in src/%s', (_folder, i) => {
    expect(importLines.length).toBeGreaterThanOrEqual(12);
    expect(restrictedLines(linted.cases[i] ?? [])).toEqual(fencedLines);
    expect(fencedLines.length).toBe(importLines.length + 2);
  });

  test('one folder deeper (src/fold/echolua), the ../../ forms are errors too', () => {
    expect(restrictedLines(linted.cases[PURE.length] ?? [])).toEqual([1, 2, 3]);
  });

  test('what the core legitimately imports lints clean (same-folder files named like adapters included)', () => {
    expect(restrictedLines(linted.cases[PURE.length + 1] ?? [])).toEqual([]);
  });

  test('adapters themselves may import adapters (statically)', () => {
    const rules = (linted.cases[PURE.length + 2] ?? []).filter((m) => m.ruleId === 'no-restricted-imports' || m.ruleId === 'no-restricted-syntax');
    expect(rules).toEqual([]);
  });

  test('outside src/hooks no file imports a hook, the installer included', () => {
    const at = (i: number) => (linted.cases[PURE.length + 3 + i] ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.line);
    expect(at(0)).toEqual([1, 2]);
    expect(at(1)).toEqual([1, 2]);
    expect(at(2)).toEqual([1, 2]);
    expect(at(3)).toEqual([]);
  });
});
