/** `gatos foldc` and `gatos fold run` as a user runs them (the built bundle). */
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { runCli } from '../helpers/cli';
import { tmpDir } from '../helpers/tmp';
import { FOLD_ENGINE } from '../../src/fold/engine-id';

const FIX = path.resolve(__dirname, '../fixtures/folds');

describe('gatos foldc', () => {
  test('compiles a YAML fold, writes the bytes, prints fold_root and the engine id', () => {
    const dir = tmpDir();
    const out = path.join(dir, 'ledger.rgf');
    const r = runCli(['foldc', path.join(FIX, 'ledger.yaml'), '-o', out]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const bytes = readFileSync(out);
    const root = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    expect(r.stdout).toBe(`fold_root = ${root}\nengine = ${FOLD_ENGINE}\n`);
    expect(bytes.equals(readFileSync(path.join(FIX, 'ledger.rgf')))).toBe(true);
    // Beside the .rgf, as the FAQ shows: folds/<name>.rgf.sha holds its fold_root.
    expect(readFileSync(`${out}.sha`, 'utf8')).toBe(`fold_root = ${root}\n`);
  });

  test('a fold that does not compile: caret diagnostics, exit 2, nothing written', () => {
    const dir = tmpDir();
    const src = path.join(dir, 'bad.yaml');
    writeFileSync(src, 'version: 1\ninputs: ["gatos/journal/x/**"]\nreducers:\n  - kind: map-join-lw\n    key: "$.id["\nemit:\n  - path: s.json\n');
    const out = path.join(dir, 'bad.rgf');
    const r = runCli(['foldc', src, '-o', out]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`${src}:4:11: error: unknown reducer kind 'map-join-lw' [COMPILE_ERROR]`);
    expect(r.stderr).toContain('    4 |   - kind: map-join-lw');
    expect(r.stderr).toContain("hint: did you mean 'map-join-lww'?");
    expect(r.stderr).toContain(`${src}:5:15: error: bad key path`);
    expect(r.stderr).toContain('foldc: 2 errors; nothing written');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(out)).toBe(false);
    expect(existsSync(`${out}.sha`)).toBe(false);
  });

  test('a missing source and an unknown extension are clear errors', () => {
    const dir = tmpDir();
    expect(runCli(['foldc', path.join(dir, 'none.yaml'), '-o', path.join(dir, 'x.rgf')]).stderr).toMatch(/error\[NOT_FOUND\]: .*none\.yaml: cannot read the file/);
    const txt = path.join(dir, 'fold.txt');
    writeFileSync(txt, 'x');
    const r = runCli(['foldc', txt, '-o', path.join(dir, 'x.rgf')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/is not a fold source: expected a \.yaml, \.yml or \.lua file/);
  });
});

describe('gatos fold run', () => {
  test('prints the emitted files and the roots of a golden fold (compiled or source)', () => {
    const golden = JSON.parse(readFileSync(path.join(FIX, 'membership.golden.json'), 'utf8')) as { files: Record<string, string>; state_root: string; fold_root: string };
    for (const fold of ['membership.rgf', 'membership.yaml']) {
      const r = runCli(['fold', 'run', '--fold', path.join(FIX, fold), '--events', path.join(FIX, 'membership.events.jsonl')]);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      const expected = Object.entries(golden.files).map(([p, c]) => `--- ${p}\n${c}\n`).join('');
      expect(r.stdout).toBe(`${expected}state_root = ${golden.state_root}\nfold_root = ${golden.fold_root}\nengine = ${FOLD_ENGINE}\nevents = 8\n`);
    }
  });

  test('--json prints the golden record', () => {
    const r = runCli(['fold', 'run', '--fold', path.join(FIX, 'invoices.rgf'), '--events', path.join(FIX, 'invoices.events.jsonl'), '--json']);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(JSON.parse(readFileSync(path.join(FIX, 'invoices.golden.json'), 'utf8')));
  });

  test('a float in an event: FOLD_ERROR at file:line with the minor-units hint, exit 2', () => {
    const dir = tmpDir();
    const events = path.join(dir, 'ev.jsonl');
    writeFileSync(events, `${readFileSync(path.join(FIX, 'ledger.events.jsonl'), 'utf8')}\n{"journal":"refs/gatos/journal/ledger/user/alice","ulid":"01HZX3V1000000000000000009","type":"ledger.deposit","actor":"user:alice","payload":{"delta":12.5,"currency":"EUR"}}\n`);
    const r = runCli(['fold', 'run', '--fold', path.join(FIX, 'ledger.rgf'), '--events', events]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`error[FOLD_ERROR]: ${events}:7:1:`);
    expect(r.stderr).toContain('12.5 is not an integer');
    expect(r.stderr).toContain('hint: encode decimals as integer minor units or strings');
  });

  test('malformed JSON in the events is located; a tampered .rgf is refused', () => {
    const dir = tmpDir();
    const events = path.join(dir, 'ev.jsonl');
    writeFileSync(events, '{"journal": "refs/gatos/journal/ledger/x", "ulid": 1,, }\n');
    const r = runCli(['fold', 'run', '--fold', path.join(FIX, 'ledger.rgf'), '--events', events]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/error\[ENCODING_INVALID\]: .*ev\.jsonl:1:\d+:/);
    const rgf = path.join(dir, 'ledger.rgf');
    copyFileSync(path.join(FIX, 'ledger.rgf'), rgf);
    const bytes = readFileSync(rgf);
    writeFileSync(rgf, Buffer.concat([bytes, Buffer.from([0])]));
    const t = runCli(['fold', 'run', '--fold', rgf, '--events', path.join(FIX, 'ledger.events.jsonl')]);
    expect(t.status).toBe(2);
    expect(t.stderr).toMatch(/error\[ENCODING_INVALID\]: .*compiled fold is not canonical DAG-CBOR/);
  });
});

describe('EchoLua folds through the same commands', () => {
  test('foldc compiles a .lua fold and fold run folds with it, from source or compiled, to the same root', () => {
    const dir = tmpDir();
    const out = path.join(dir, 'deposits.rgf');
    const c = runCli(['foldc', path.join(FIX, 'deposits.lua'), '-o', out]);
    expect(c.stderr).toBe('');
    expect(c.status).toBe(0);
    const root = `sha256:${createHash('sha256').update(readFileSync(out)).digest('hex')}`;
    expect(c.stdout).toBe(`fold_root = ${root}\nengine = ${FOLD_ENGINE}\n`);
    const events = path.join(dir, 'small.jsonl');
    writeFileSync(events, readFileSync(path.join(FIX, 'ledger.events.jsonl'), 'utf8').replace('9223372036854775000', '7'));
    const runs = [path.join(FIX, 'deposits.lua'), out].map((f) => runCli(['fold', 'run', '--fold', f, '--events', events, '--json']));
    for (const r of runs) {
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
    }
    const [a, b] = runs.map((r) => JSON.parse(r.stdout) as { files: Record<string, string>; state_root: string; fold_root: string });
    expect(a).toEqual(b);
    expect(a!.fold_root).toBe(root);
    // Deposits: 10000 + 250 + 7, three of them (the withdrawals are not counted).
    expect(a!.files).toEqual({ 'state/ledger/deposits.json': '{"count":3,"total":10257}' });
  });

  test('an EchoLua overflow is a FOLD_ERROR, exit 2, never a wrapped number', () => {
    // The unchanged ledger stream deposits 10000 + 250 + 9223372036854775000 > 2^63 - 1.
    const r = runCli(['fold', 'run', '--fold', path.join(FIX, 'deposits.lua'), '--events', path.join(FIX, 'ledger.events.jsonl')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^error\[FOLD_ERROR\]: .*overflow/);
    expect(r.stdout).toBe('');
  });
});
