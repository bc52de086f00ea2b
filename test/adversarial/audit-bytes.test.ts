/**
 * Issue 10 class 6, end to end: "the audit trail can be dodged". Ref names
 * and host user names are bytes. A refused push whose refs (or pusher) have
 * names that are not NFC, or not UTF-8 at all, must still leave exactly one
 * audit entry, and that entry must give back the exact bytes; two names
 * that differ only in invalid bytes must stay two names. Pushed with
 * rawPush (names the stock client would not form) into worlds installed by
 * install.sh: both object formats, three templates, the update hook alone.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { textBytes, textOfBytes } from '../../src/core/byte-text';
import { textOf } from '../../src/gate';
import type { JsonValue } from '../../src/canon/jcs';
import { CLI } from '../helpers/cli';
import { GateWorld, type Run } from '../helpers/gate-world';
import { expectAccepted, expectAttackRefused, rawPush, zeroId, type RawCommand } from './harness';

jest.setTimeout(180_000);

const JOURNAL = 'refs/gatos/journal/finance/user/alice';
const b = (...parts: (string | number[] | Buffer)[]): Buffer => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.isBuffer(p) ? p : Buffer.from(p))));
/** The bytes an audit entry's text field stands for. */
const bytesOf = (v: unknown): Buffer => {
  const s = textOf(v as JsonValue);
  if (s === undefined) throw new Error(`not a text field: ${JSON.stringify(v)}`);
  return Buffer.from(textBytes(s));
};

interface Case {
  readonly format: 'sha1' | 'sha256';
  readonly template: string;
  readonly hooks?: string;
}

const CASES: readonly Case[] = [
  { format: 'sha1', template: 'regulated' },
  { format: 'sha256', template: 'minimal' },
  { format: 'sha1', template: 'regulated', hooks: 'update' },
];

for (const c of CASES) {
  const preReceive = c.hooks !== 'update';
  describe(`audit entries hold any bytes (${c.format}, ${c.template}${c.hooks ? `, ${c.hooks} hook only` : ''})`, () => {
    let w: GateWorld;
    let alice: string;
    let tip: string;
    let emptyCommit: string;
    /** A commit that does not descend from the journal tip: pushing it is a force push (FF_VIOLATION). */
    let rewritten: string;
    let wrapperDir: string;

    beforeAll(() => {
      w = new GateWorld({ format: c.format, template: c.template, ...(c.hooks ? { hooks: c.hooks } : {}) }).setup();
      alice = w.client('user:alice');
      w.addEvent(alice, 'user:alice', 'finance');
      const push = w.push(alice, 'user:alice', [JOURNAL]);
      if (push.status !== 0) throw new Error(push.stderr);
      tip = w.git(alice, ['rev-parse', JOURNAL]).stdout.trim();
      const tree = w.git(alice, ['rev-parse', `${tip}^{tree}`]).stdout.trim();
      rewritten = w.git(alice, ['commit-tree', tree], {}, 'rewritten\n').stdout.trim();
      const empty = w.git(alice, ['hash-object', '-t', 'tree', '-w', '--stdin'], {}, '').stdout.trim();
      emptyCommit = w.git(alice, ['commit-tree', empty], {}, 'a branch\n').stdout.trim();
      // A `git` that sets the host's user name to raw bytes, as a host whose accounts are not UTF-8 would.
      wrapperDir = path.join(w.root, 'rawenv');
      mkdirSync(wrapperDir, { recursive: true });
      const real = spawnSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).stdout.trim();
      writeFileSync(path.join(wrapperDir, 'git'), `#!/bin/sh\nGL_USER=$(printf 'al\\377ice\\341')\nexport GL_USER\nexec ${real} "$@"\n`);
      chmodSync(path.join(wrapperDir, 'git'), 0o755);
    });

    const push = (commands: RawCommand[], env: Record<string, string> = { GATOS_ACTOR: 'user:alice' }, atomic = true): Run =>
      rawPush(w, { from: alice, format: c.format, env, atomic, commands, revs: [rewritten, emptyCommit, `^${tip}`] });
    const force: () => RawCommand = () => ({ old: tip, new: rewritten, ref: JOURNAL });
    const branch = (name: Buffer): RawCommand => ({ old: zeroId(w), new: emptyCommit, ref: b('refs/heads/', name) });
    const lastEntry = () => {
      const e = w.auditEntries().at(-1);
      if (!e) throw new Error('no audit entry');
      return e as unknown as { updates: { ref: unknown }[]; denials: { ref: unknown; code: string }[]; host_user: unknown; actor: unknown };
    };
    const refsOf = () => lastEntry().updates.map((u) => bytesOf(u.ref).toString('hex'));

    // The attacker names the refused ref itself with bytes that are not UTF-8, hoping the audit write fails.
    test('a ref name with invalid UTF-8 is refused and recorded byte for byte', () => {
      const name = b('refs/gatos/journal/finance/user/ali', [0xff], 'ce');
      expectAttackRefused(w, () => push([{ old: zeroId(w), new: emptyCommit, ref: name }]), { code: 'POLICY_DENY', rule: 'gate/ref-name' });
      expect(refsOf()).toEqual([name.toString('hex')]);
    });

    // The same, with a name in Unicode NFD (an e and a combining acute accent), which canonical JSON refuses as text.
    test('a ref name in NFD is refused and recorded byte for byte', () => {
      const name = b('refs/gatos/state/cafe\u0301');
      expectAttackRefused(w, () => push([{ old: zeroId(w), new: emptyCommit, ref: name }]), { code: 'POLICY_DENY', rule: 'gate/ref-name' });
      expect(refsOf()).toEqual([name.toString('hex')]);
    });

    // Two names that differ only in invalid bytes: a lossy decoder reads both as the same U+FFFD name.
    test('two refused names differing only in invalid bytes stay two names', () => {
      const one = b('refs/gatos/policies/x', [0xfe]);
      const two = b('refs/gatos/policies/x', [0xff]);
      expectAttackRefused(w, () => push([{ old: zeroId(w), new: emptyCommit, ref: one }]), { code: 'POLICY_DENY', rule: 'gate/ref-name' });
      const first = refsOf();
      expectAttackRefused(w, () => push([{ old: zeroId(w), new: emptyCommit, ref: two }]), { code: 'POLICY_DENY', rule: 'gate/ref-name' });
      expect([first, refsOf()]).toEqual([[one.toString('hex')], [two.toString('hex')]]);
    });

    if (preReceive) {
      // The attacker adds a branch named in NFD to a refused push, to make the refusal leave no trace.
      test('a refused push with an added NFD branch still leaves one entry naming both refs', () => {
        const name = b('cafe\u0301');
        expectAttackRefused(w, () => push([force(), branch(name)]), { code: 'FF_VIOLATION', rule: 'gate/fast-forward-only' });
        expect(refsOf()).toEqual([Buffer.from(JOURNAL).toString('hex'), b('refs/heads/', name).toString('hex')]);
      });

      // The same with a branch whose name is not UTF-8 at all (a Latin-1 é).
      test('a refused push with an added non-UTF-8 branch still leaves one entry naming both refs', () => {
        const name = b('caf', [0xe9]);
        expectAttackRefused(w, () => push([force(), branch(name)]), { code: 'FF_VIOLATION', rule: 'gate/fast-forward-only' });
        expect(refsOf()).toEqual([Buffer.from(JOURNAL).toString('hex'), b('refs/heads/', name).toString('hex')]);
      });

      // Two added branches a lossy decoder would merge into one name (and one decision).
      test('two added branches that differ only in invalid bytes are recorded as two', () => {
        expectAttackRefused(w, () => push([force(), branch(b('x', [0xc3])), branch(b('x', [0xc2]))]), { code: 'FF_VIOLATION', rule: 'gate/fast-forward-only' });
        expect(new Set(refsOf()).size).toBe(3);
      });
    }

    // The pusher's host name is in NFD: the audit entry must still be written, with the name's exact bytes.
    test('a host user name in NFD is recorded byte for byte on a refused push', () => {
      expectAttackRefused(w, () => push([force()], { GL_USER: 'alice\u0301' }), { code: 'FF_VIOLATION' });
      expect(bytesOf(lastEntry().host_user)).toEqual(b('alice\u0301'));
      expect(lastEntry().actor).toBeNull();
    });

    // The pusher's host name is not UTF-8 (set by the host, never by git): recorded exactly, not as U+FFFD.
    test('a host user name that is not UTF-8 is recorded byte for byte', () => {
      expectAttackRefused(w, () => push([force()], { PATH: `${wrapperDir}:${process.env.PATH ?? '/usr/bin:/bin'}` }), { code: 'FF_VIOLATION' });
      expect(bytesOf(lastEntry().host_user)).toEqual(b('al', [0xff], 'ice', [0xe1]));
    });

    // As behind a web server: REMOTE_USER (the HTTP login) in NFD, with the CGI variables that say "http".
    test('a REMOTE_USER in NFD over a CGI-style environment is recorded byte for byte, with the transport and address', () => {
      expectAttackRefused(w, () => push([force()], { REMOTE_USER: 'bo\u0062\u0301', REMOTE_ADDR: '192.0.2.7', GATEWAY_INTERFACE: 'CGI/1.1' }), { code: 'FF_VIOLATION' });
      const e = lastEntry() as unknown as { host_user: unknown; actor_source: string; transport: string; client_ip: string };
      expect({ host: bytesOf(e.host_user).toString('hex'), source: e.actor_source, transport: e.transport, ip: e.client_ip }).toEqual({ host: b('bo\u0062\u0301').toString('hex'), source: 'REMOTE_USER', transport: 'http', ip: '192.0.2.7' });
    });

    test('gatos audit log shows such names with their bytes escaped, and --json keeps them exact', () => {
      const text = spawnSync(process.execPath, [CLI, 'audit', 'log', '--repo', w.gitDir], { encoding: 'utf8', env: w.env() });
      expect(text.status).toBe(0);
      expect(text.stdout).toContain('host_user=al\\xffice\\xe1');
      expect(text.stdout).toContain('refs/gatos/journal/finance/user/ali\\xffce');
      const json = spawnSync(process.execPath, [CLI, 'audit', 'log', '--repo', w.gitDir, '--json'], { encoding: 'utf8', env: w.env() });
      const hosts = json.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { entry: { host_user: unknown } }).entry.host_user).filter((h) => h !== null && typeof h === 'object');
      expect(hosts.map((h) => bytesOf(h).toString('hex'))).toContain(b('al', [0xff], 'ice', [0xe1]).toString('hex'));
    });

    // Legitimate: branches whose names are NFD or not UTF-8 are ordinary git refs the policy allows.
    test('legitimate: branches named in NFD, in Latin-1 and with Unicode spaces are accepted and land with their exact bytes', () => {
      for (const name of [b('caf\u00e9-ok'), b('cafe\u0301-ok'), b('caf', [0xe9], '-ok'), b('no\u00a0break\u2028line-ok')]) {
        expectAccepted(w, () => push([branch(name)], { GATOS_ACTOR: 'user:alice' }, false));
        const refs = spawnSync('git', ['--git-dir', w.gitDir, 'for-each-ref', '--format=%(refname)', 'refs/heads/'], { env: w.env() }).stdout as Buffer;
        expect(refs.includes(b('refs/heads/', name, '\n'))).toBe(true);
      }
      expect(textOfBytes(b('caf', [0xe9]))).not.toBe(textOfBytes(b('caf', [0xe8])));
    });
  });
}
