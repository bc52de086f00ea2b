/**
 * The whole producer flow from the CLI in a real clone: init -> key ->
 * trust -> grant -> publish -> events -> checkpoint -> verify; then each
 * artifact tampered with (payload, signature, trailer, state file, window)
 * and detected with its code; grants expiring and revoked; ULID repeats;
 * a rotated-out key refused from the rotation on.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { eventCid } from '../../src/canon/cid';
import { sign } from '../../src/canon/ed25519';
import { decodeProof, encodeProof } from '../../src/checkpoint';
import { parseKeyFile } from '../../src/keys';
import { FORMATS } from '../helpers/git';
import { codeOf, Producer } from './producer-env';

describe.each(FORMATS)('producer flow (%s)', (format) => {
  const p = new Producer(format);
  let ids: { alice: string; bob: string; grant: string };
  let e1: { commit: string; ulid: string };

  beforeAll(() => {
    ids = p.setup();
    e1 = p.event('user:bob', 'invoice.created', { id: 'inv-1', amount: 1200 }, ['--caps', 'journal:append']);
    p.event('user:bob', 'invoice.created', { id: 'inv-2', amount: 5 });
    p.event('user:alice', 'invoice.paid', { id: 'inv-1', amount: 1200 });
  });

  it('publishes a bundle the active ref names, with its trailers', () => {
    const active = p.git(['rev-parse', 'refs/gatos/policies/active']);
    const msg = p.message(active);
    // One meaning per trailer name (decision 0029): the bundle commit names its own content as Bundle-Id, never Policy-Root.
    const id = /^Bundle-Id: blake3:([0-9a-f]{64})$/m.exec(msg)?.[1];
    expect(id).toBeDefined();
    expect(msg).not.toMatch(/^Policy-Root:/m);
    expect(msg).toMatch(/^Fold-Root: sha256:[0-9a-f]{64}$/m);
    expect(p.git(['rev-parse', `refs/gatos/policies/${id}`])).toBe(active);
    expect(msg).toMatch(/^Policy-Code-Root: sha256:[0-9a-f]{64}$/m);
    expect(p.git(['ls-tree', '-r', '--name-only', active]).split('\n')).toEqual(expect.arrayContaining(['manifest.json', 'compiled/policy.rgc', 'compiled/folds/ledger.rgf', 'gatos/trust/graph.json', `gatos/trust/grants/${ids.grant}.json`]));
    expect(p.ok(['policy', 'publish'])).toContain('nothing to publish');
  });

  it('writes events on the actors\' journals and verifies them', () => {
    expect(p.git(['rev-list', '--count', 'refs/gatos/journal/finance/user/bob'])).toBe('2');
    const out = p.ok(['event', 'verify', 'refs/gatos/journal/finance/user/bob']);
    expect(out).toContain('verified 2 events');
    expect(p.ok(['event', 'verify', e1.commit])).toContain('verified 1 event');
    const msg = p.message(e1.commit);
    for (const k of ['Event-CID', 'Sig-Alg', 'Sig', 'Signer', 'Policy-Root', 'Fold-Root']) expect(msg).toMatch(new RegExp(`^${k}: `, 'm'));
    expect(p.git(['ls-tree', '--name-only', e1.commit])).toBe('event.cbor');
  });

  it('checkpoints, resumes incrementally, and verifies identical', () => {
    const first = p.ok(['fold', 'checkpoint', '--ns', 'finance', '--as', 'user:alice']);
    expect(first).toContain('from scratch');
    expect(p.ok(['fold', 'verify', 'refs/gatos/state/finance'])).toMatch(/^identical /);
    p.event('user:bob', 'invoice.paid', { id: 'inv-2', amount: 5 });
    const second = p.ok(['fold', 'checkpoint', '--ns', 'finance', '--as', 'user:alice']);
    expect(second).toContain('folded 1 event (resumed');
    expect(p.ok(['fold', 'verify', 'refs/gatos/state/finance'])).toMatch(/^identical .*resume/);
    const invoices = JSON.parse(p.git(['show', 'refs/gatos/state/finance:state/finance/invoices.json'])) as Record<string, { amount: number }>;
    expect(Object.keys(invoices).sort()).toEqual(['inv-1', 'inv-2']);
    const msg = p.message('refs/gatos/state/finance');
    expect(msg.match(/^Ledger-Head: /gm)).toHaveLength(2);
    for (const k of ['State-Root', 'Policy-Root', 'Policy-Code-Root', 'Fold-Root', 'Fold-Engine', 'Fold-Version', 'Fold-Math', 'Inputs-Root', 'Proof-CID', 'Proof-Sig', 'Signer']) expect(msg).toMatch(new RegExp(`^${k}: `, 'm'));
    expect(p.ok(['fold', 'checkpoint', '--ns', 'finance', '--as', 'user:alice'])).toContain('nothing new');
  });

  describe('tampering', () => {
    const verifyEvent = (commit: string) => p.gatos(['event', 'verify', commit]);
    const verifyState = (commit: string) => p.gatos(['fold', 'verify', commit]);

    it('payload: the envelope changed under its trailers is PROOF_INVALID', () => {
      const raw = Buffer.from(execFileSync('git', ['cat-file', 'blob', `${e1.commit}:event.cbor`], { cwd: p.repo }));
      const i = raw.indexOf(Buffer.from('inv-1'));
      raw[i + 4] = '9'.charCodeAt(0);
      const forged = p.forge(e1.commit, { tree: p.treeWith(e1.commit, 'event.cbor', raw) });
      const r = verifyEvent(forged);
      expect(r.status).toBe(1);
      expect(codeOf(r)).toBe('PROOF_INVALID');
      expect(r.stderr).toContain('does not name its envelope');
    });

    it('signature: a changed Sig is SIG_INVALID', () => {
      const msg = p.message(e1.commit).replace(/^(Sig: ed25519:)(.)/m, (_m, a: string, c: string) => a + (c === '0' ? '1' : '0'));
      const r = verifyEvent(p.forge(e1.commit, { message: msg }));
      expect(codeOf(r)).toBe('SIG_INVALID');
    });

    it('trailer: a missing trailer is TRAILER_INVALID, a changed binding PROOF_INVALID', () => {
      const noAlg = p.message(e1.commit).replace(/^Sig-Alg: ed25519\n/m, '');
      expect(codeOf(verifyEvent(p.forge(e1.commit, { message: noAlg })))).toBe('TRAILER_INVALID');
      const fake = '1'.repeat(format === 'sha1' ? 40 : 64);
      const moved = p.message(e1.commit).replace(/^Policy-Root: .*$/m, `Policy-Root: ${fake}`);
      expect(codeOf(verifyEvent(p.forge(e1.commit, { message: moved })))).toBe('PROOF_INVALID');
      const cp = p.git(['rev-parse', 'refs/gatos/state/finance']);
      const root = p.message(cp).replace(/^State-Root: blake3:.*$/m, `State-Root: blake3:${'ab'.repeat(32)}`);
      expect(codeOf(verifyState(p.forge(cp, { message: root })))).toBe('PROOF_INVALID');
      const twice = p.message(cp).replace(/^(Ledger-Head: [0-9a-f]+)$/m, '$1\n$1');
      expect(codeOf(verifyState(p.forge(cp, { message: twice })))).toBe('TRAILER_INVALID');
    });

    it('state file: a changed emitted file is PROOF_INVALID, naming the first difference', () => {
      const cp = p.git(['rev-parse', 'refs/gatos/state/finance']);
      const forged = p.forge(cp, { tree: p.treeWith(cp, 'state/finance/by-type.json', '{"invoice.created":99}') });
      const r = verifyState(forged);
      expect(codeOf(r)).toBe('PROOF_INVALID');
      expect(r.stderr).toContain('first difference: state/finance/by-type.json');
      expect(r.stdout).toContain('different PROOF_INVALID');
    });

    it('window: a re-signed proof with a changed window is PROOF_INVALID; an unsigned change SIG_INVALID', () => {
      const cp = p.git(['rev-parse', 'refs/gatos/state/finance']);
      const raw = new Uint8Array(execFileSync('git', ['cat-file', 'blob', `${cp}:.gatos/proof.cbor`], { cwd: p.repo }));
      const proof = decodeProof(raw);
      if (!proof.ok) throw new Error(proof.error.message);
      const w = proof.value.window.map((x) => ({ ...x, events: x.events + 1 }));
      const changed = encodeProof({ ...proof.value, window: w, events: proof.value.events + 1 });
      if (!changed.ok) throw new Error(changed.error.message);
      const unsigned = verifyState(p.forge(cp, { tree: p.treeWith(cp, '.gatos/proof.cbor', changed.value) }));
      expect(codeOf(unsigned)).toBe('PROOF_INVALID');
      // Re-sign with alice's real key and fix the trailers that name the proof: only the refold can tell.
      const key = parseKeyFile(new Uint8Array(readFileSync(path.join(p.keyDir, 'user', 'alice.key'))), 'alice.key');
      if (!key.ok) throw new Error(key.error.message);
      const sig = Buffer.from(sign(key.value.seed, changed.value)).toString('hex');
      const msg = p.message(cp).replace(/^Proof-Sig: .*$/m, `Proof-Sig: ed25519:${sig}`).replace(/^Proof-CID: .*$/m, `Proof-CID: ${eventCid(changed.value)}`);
      const resigned = verifyState(p.forge(cp, { tree: p.treeWith(cp, '.gatos/proof.cbor', changed.value), message: msg }));
      expect(codeOf(resigned)).toBe('PROOF_INVALID');
      expect(resigned.stderr).toMatch(/holds \d+ events, the proof says/);
      const badSig = p.message(cp).replace(/^(Proof-Sig: ed25519:)(.)/m, (_m, a: string, c: string) => a + (c === '0' ? '1' : '0'));
      expect(codeOf(verifyState(p.forge(cp, { message: badSig })))).toBe('SIG_INVALID');
    });
  });

  describe('grants, ULIDs and rotation', () => {
    it('an expired grant is CAP_EXPIRED, a revoked one POLICY_DENY', () => {
      const late = p.event('user:bob', 'invoice.created', { id: 'inv-3' }, ['--caps', 'journal:append']);
      expect(p.ok(['event', 'verify', late.commit])).toContain('verified 1 event');
      const expired = p.gatos(['event', 'add', '--ns', 'finance', '--type', 'invoice.created', '--payload', '{"id":"inv-4"}', '--caps', 'journal:append', '--as', 'user:bob'], { GATOS_NOW: '2026-07-01T00:00:00Z' });
      expect(expired.status).toBe(0);
      const commit = expired.stdout.split(' ')[0] as string;
      const r = p.gatos(['event', 'verify', commit], { GATOS_NOW: '2026-07-01T00:00:00Z' });
      expect(r.status).toBe(1);
      expect(codeOf(r)).toBe('CAP_EXPIRED');
      p.now = '2026-07-01T00:00:01Z';
      p.ok(['trust', 'revoke', ids.grant, '--reason', 'left the team', '--as', 'user:alice']);
      p.ok(['trust', 'grant', '--to', 'user:bob', '--caps', 'journal:append', '--exp', '2027-01-01T00:00:00Z', '--as', 'user:alice', '--revokes', ids.grant, '--prev', ids.grant]);
      p.ok(['policy', 'publish', '--as', 'user:alice']);
      const again = p.event('user:bob', 'invoice.created', { id: 'inv-5' }, ['--caps', 'journal:append']);
      expect(p.ok(['event', 'verify', again.commit])).toContain('verified 1 event');
    });

    it('the same ULID twice on a journal is DUP_COMMIT', () => {
      const first = p.event('user:alice', 'x.y', {}, ['--ulid', '01KZZZZZZZZZZZZZZZZZZZZZZZ']);
      expect(first.ulid).toBe('01KZZZZZZZZZZZZZZZZZZZZZZZ');
      const r = p.gatos(['event', 'add', '--ns', 'finance', '--type', 'x.y', '--payload', '{}', '--as', 'user:alice', '--ulid', '01KZZZZZZZZZZZZZZZZZZZZZZZ']);
      expect(r.status).toBe(1);
      expect(codeOf(r)).toBe('DUP_COMMIT');
      const next = p.event('user:alice', 'x.y', {});
      expect(next.ulid > first.ulid).toBe(true);
    });

    it('a rotated-out key signs nothing from the rotation on', () => {
      const oldKeyDir = path.join(p.keyDir, '..', 'old-keys');
      cpSync(p.keyDir, oldKeyDir, { recursive: true });
      p.now = '2026-08-01T00:00:00Z';
      const fresh = p.ok(['key', 'new', '--actor', 'user:bob', '--rotate']);
      p.ok(['trust', 'add', 'user:bob', fresh, '--level', '2', '--as', 'user:alice']);
      p.ok(['policy', 'publish', '--as', 'user:alice']);
      const withNew = p.event('user:bob', 'invoice.created', { id: 'inv-6' });
      expect(p.ok(['event', 'verify', withNew.commit])).toContain('verified 1 event');
      const withOld = p.gatos(['event', 'add', '--ns', 'finance', '--type', 'invoice.created', '--payload', '{"id":"inv-7"}', '--as', 'user:bob', '--key-dir', oldKeyDir]);
      expect(withOld.status).toBe(0);
      const r = p.gatos(['event', 'verify', withOld.stdout.split(' ')[0] as string]);
      expect(codeOf(r)).toBe('POLICY_DENY');
      expect(r.stderr).toContain('not a key of user:bob valid at 2026-08-01T00:00:00Z');
      // History written before the rotation still verifies.
      expect(p.ok(['event', 'verify', e1.commit])).toContain('verified 1 event');
    });
  });

  it('reports a user\'s mistakes with a code and a hint, never a stack trace', () => {
    const cases: [string[], string][] = [
      [['event', 'add', '--ns', 'finance', '--type', 'x', '--payload', '{"a":1.5}', '--as', 'user:alice'], 'VALUE_INVALID'],
      [['event', 'add', '--ns', 'Finance', '--type', 'x', '--payload', '{}', '--as', 'user:alice'], 'VALUE_INVALID'],
      [['event', 'add', '--ns', 'finance', '--type', 'x', '--payload', '{"a":', '--as', 'user:alice'], 'ENCODING_INVALID'],
      [['key', 'new', '--actor', 'user:Alice'], 'VALUE_INVALID'],
      [['trust', 'grant', '--to', 'user:bob', '--caps', 'a', '--exp', 'tomorrow', '--as', 'user:alice'], 'VALUE_INVALID'],
      [['event', 'add', '--ns', 'finance', '--type', 'x', '--payload', '{}', '--as', 'user:nobody'], 'NOT_FOUND'],
      [['policy', 'init', '--template', 'nope'], 'NOT_FOUND'],
    ];
    for (const [args, code] of cases) {
      const r = p.gatos(args);
      expect([args.join(' '), r.status]).toEqual([args.join(' '), 2]);
      expect([args.join(' '), codeOf(r)]).toEqual([args.join(' '), code]);
      expect(r.stderr).toContain('hint:');
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });
});
