/**
 * `gatos policyc` without `-o`: the .rgc lands beside the source (file.rgs ->
 * file.rgc, dir -> dir.rgc, never inside the source folder), byte-identical
 * to an explicit `-o`; the path written is said on stderr.
 */
import { createHash } from 'node:crypto';
import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runCli } from '../helpers/cli';
import { tmpDir } from '../helpers/tmp';

const PUSH_GATE = path.resolve(__dirname, '../fixtures/rgs/push-gate');

function rootOf(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

describe('gatos policyc without -o', () => {
  test('a directory compiles to <dir>.rgc beside it, the same bytes as with -o', () => {
    const base = tmpDir();
    const dir = path.join(base, 'policies');
    cpSync(PUSH_GATE, dir, { recursive: true });
    const before = readdirSync(dir).sort();
    const r = runCli(['policyc', dir]);
    expect(r.status).toBe(0);
    const out = `${dir}.rgc`;
    expect(r.stderr).toContain(`policyc: wrote ${out}`);
    const bytes = readFileSync(out);
    expect(r.stdout).toBe(`policy_root = ${rootOf(bytes)}\n`);
    expect(readdirSync(dir).sort()).toEqual(before);
    const explicit = path.join(base, 'explicit.rgc');
    expect(runCli(['policyc', dir, '-o', explicit]).status).toBe(0);
    expect(readFileSync(explicit).equals(bytes)).toBe(true);
  });

  test('a relative directory path resolves against the working directory', () => {
    const base = tmpDir();
    cpSync(PUSH_GATE, path.join(base, 'p'), { recursive: true });
    const r = runCli(['policyc', 'p'], { cwd: base });
    expect(r.status).toBe(0);
    expect(existsSync(path.join(base, 'p.rgc'))).toBe(true);
  });

  test('a file p.rgs compiles to p.rgc beside it', () => {
    const base = tmpDir();
    const src = path.join(base, 'journal.rgs');
    cpSync(path.join(PUSH_GATE, 'journal.rgs'), src);
    const r = runCli(['policyc', src]);
    expect(r.status).toBe(0);
    const out = path.join(base, 'journal.rgc');
    expect(r.stdout).toBe(`policy_root = ${rootOf(readFileSync(out))}\n`);
  });

  test('an empty -o is a usage error (exit 2) with a hint, and nothing is written', () => {
    const base = tmpDir();
    const dir = path.join(base, 'policies');
    cpSync(PUSH_GATE, dir, { recursive: true });
    const r = runCli(['policyc', dir, '-o', '']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('error[USAGE]: -o needs a file name');
    expect(r.stderr).toContain('hint:');
    expect(existsSync(`${dir}.rgc`)).toBe(false);
  });

  test('a source that does not compile writes no default output', () => {
    const base = tmpDir();
    const dir = path.join(base, 'bad');
    cpSync(PUSH_GATE, dir, { recursive: true });
    writeFileSync(path.join(dir, 'broken.rgs'), 'rules:\n  - id: x\n    allow_if: "nope("\n');
    const r = runCli(['policyc', dir]);
    expect(r.status).toBe(2);
    expect(existsSync(`${dir}.rgc`)).toBe(false);
  });
});
