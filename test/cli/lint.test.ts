/** `gatos lint` as a user runs it: the built CLI against files in a temporary directory. */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runCli } from '../helpers/cli';
import { tmpDir } from '../helpers/tmp';

const GOOD = 'inputs = { "refs/gatos/journal/x/**" }\nfunction init() return {} end\nfunction step(s, e) s[e.ulid] = 1 return s end\nfunction emit(s) return { ["state/x.json"] = dkeys(s) } end\n';
const BAD = GOOD.replace('s[e.ulid] = 1', 'for k in pairs(e) do end s.t = os.time()');

describe('gatos lint', () => {
  const dir = tmpDir('gatos-lint-');
  const good = path.join(dir, 'good.lua');
  const bad = path.join(dir, 'folds', 'bad.lua');
  mkdirSync(path.dirname(bad));
  writeFileSync(good, GOOD);
  writeFileSync(bad, BAD);
  writeFileSync(path.join(dir, 'folds', 'notes.txt'), 'not lua');

  test('a clean fold exits 0', () => {
    const r = runCli(['lint', good]);
    expect(r.stderr).toContain('1 file, 0 errors, 0 warnings');
    expect(r.status).toBe(0);
  });

  test('forbidden constructs exit 2 with file:line:col, a caret and a hint', () => {
    const r = runCli(['lint', bad]);
    expect(r.status).toBe(2);
    // 'function step(s, e) ' is 20 characters and 'for k in ' 9 more: pairs starts at column 30.
    expect(r.stderr).toContain(`${bad}:3:30: error: 'pairs' is not available in EchoLua [forbidden-global]`);
    expect(r.stderr).toContain('^^^^^');
    expect(r.stderr).toContain('hint: pairs() order is unspecified');
    expect(r.stderr).toContain("'os' is not available");
    expect(r.stderr).toContain('2 errors');
  });

  test('directories are searched for .lua files; --json prints the diagnostics', () => {
    const r = runCli(['lint', dir, '--json']);
    expect(r.status).toBe(2);
    const ds = JSON.parse(r.stdout) as { code: string; location: { file: string } }[];
    expect(ds.map((d) => d.code)).toEqual(['forbidden-global', 'forbidden-global']);
    expect(ds.every((d) => d.location.file === bad)).toBe(true);
  });

  test.each([
    ['a 7,000-term sum', `x = ${Array(7000).fill('1').join(' + ')}\n`, 'too-deep'],
    ['a 7,000-term and chain', `x = ${Array(7000).fill('a').join(' and ')}\n`, 'too-deep'],
    ['a 7,000-field .b chain', `x = a${'.b'.repeat(7000)}\n`, 'too-deep'],
    ['a 7,000-call () chain', `x = f${'()'.repeat(7000)}\n`, 'too-deep'],
    ['a 7,000-index [1] chain', `x = t${'[1]'.repeat(7000)}\n`, 'too-deep'],
    ['a bad first character', '@', 'syntax'],
  ])('%s: lint and foldc exit 2 with a located error, no stack trace', (_name, src, code) => {
    const file = path.join(dir, `deep-${code}-${src.length}.lua`);
    writeFileSync(file, src);
    const r = runCli(['lint', file, '--json']);
    expect(r.status).toBe(2);
    const ds = JSON.parse(r.stdout) as { code: string; location: { file: string; line: number } }[];
    expect(ds[0]).toMatchObject({ code, location: { file, line: 1 } });
    const c = runCli(['foldc', file, '-o', path.join(dir, 'deep.rgf')]);
    expect(c.status).toBe(2);
    expect(c.stderr).toContain(`${file}:1:`);
    expect(r.stderr + c.stderr).not.toContain('    at ');
  });

  test('a missing path is a usage error, not a crash', () => {
    const r = runCli(['lint', path.join(dir, 'nope.lua')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('error[NOT_FOUND]: no such file or directory');
    expect(r.stderr).not.toContain('    at ');
  });
});
