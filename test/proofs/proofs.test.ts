/**
 * Proof envelopes, the audit trail an auditor uses, and evidence packs,
 * through real pushes to a gate installed with the regulated template
 * (sha1, file://). One world, built once; seven pushes in all.
 */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { canonicalJson } from '../../src/canon/jcs';
import { loadKey } from '../../src/keys';
import { commitmentProof, encodeEnvelope, parseEnvelope, type ProofEnvelope } from '../../src/proof/envelope';
import { GateWorld } from '../helpers/gate-world';
import { tmpDir } from '../helpers/tmp';

const NS = 'finance';
const JOURNAL = `refs/gatos/journal/${NS}/user/alice`;
const STATE = `refs/gatos/state/${NS}`;
const PROOFS = `refs/gatos/audit/proofs/${NS}`;

describe('proof envelopes and the audit trail, over real pushes (sha1, regulated)', () => {
  let w: GateWorld;
  let alice: string;
  let envelope: ProofEnvelope;
  let proofCommit: string;

  const git = (dir: string, args: string[], input?: string): string => {
    const r = w.git(dir, args, {}, input);
    if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
    return r.stdout.trim();
  };
  /** A proof commit holding `bytes` as proof.json, on top of `parent`. */
  const proofCommitOf = (bytes: Uint8Array, parent: string, subject: string): string => {
    const blob = git(alice, ['hash-object', '-w', '--stdin'], Buffer.from(bytes).toString('utf8'));
    const tree = git(alice, ['mktree'], `100644 blob ${blob}\tproof.json\n`);
    return git(alice, ['commit-tree', tree, '-p', parent, '-m', subject]);
  };

  beforeAll(() => {
    w = new GateWorld({ format: 'sha1' }).setup();
    // Eight helpers share two cores: the decision, not the clock, is under test here.
    git(w.root, ['--git-dir', w.gitDir, 'config', 'gatos.timeBudgetMs', 'none']);
    alice = w.client('user:alice');
    w.addEvent(alice, 'user:alice', NS);
    expect(w.gatos(alice, ['fold', 'checkpoint', '--ns', NS, '--as', 'user:alice']).status).toBe(0);
    const r = w.push(alice, 'user:alice', [JOURNAL, STATE]);
    if (r.status !== 0) throw new Error(r.stderr);
  });

  test('an accepted policy change (audit: true) leaves an entry with both roots and its resource', () => {
    const before = w.auditEntries().length;
    w.publishRegulated('root-pub', { 'gatos/policies/zz-marker.rgs': 'rules:\n  - id: marker/1\n    when: { ref: "refs/tags/marker-1" }\n    deny_if: true\n' });
    const entries = w.auditEntries() as unknown as Record<string, unknown>[];
    expect(entries.length).toBe(before + 1);
    const e = entries.at(-1) as Record<string, unknown> & { updates: { ref: string; resource: string; audited: string[] }[] };
    expect(e.outcome).toBe('accepted');
    expect(e.denials).toEqual([]);
    expect(e.policy_code_root).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(e.fold_root).toMatch(/^sha256:[0-9a-f]{64}$/);
    const active = e.updates.find((u) => u.ref === 'refs/gatos/policies/active');
    expect(active?.audited).toEqual(['policy/trusted-publishers']);
    expect(active?.resource).toBe('gatos://srv/_/gatos/policies/active');
    const msg = git(w.root, ['--git-dir', w.gitDir, 'log', '-1', '--format=%s', 'refs/gatos/audit/policy']);
    // Both policy refs of the publish were decided by the audited rule, and the grant carrying the publish's quorum
    // by the regulated template's audited gov/statements rule.
    expect(msg).toBe('audit refs/gatos/policies/active policy_change policy/trusted-publishers (+2 more)');
    const grant = e.updates.find((u) => u.ref.startsWith('refs/gatos/grants/'));
    expect(grant?.audited).toEqual(['gov/statements']);
  });

  test('gate check --json carries policy_root, policy_code_root and fold_root', () => {
    const tip = git(alice, ['rev-parse', JOURNAL]);
    const r = w.gatos(w.root, ['gate', 'check', '0'.repeat(40), tip, 'refs/heads/x', '--repo', w.gitDir, '--actor', 'user:alice', '--json']);
    const out = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(out.policy_root).toMatch(/^[0-9a-f]{40}$/);
    expect(out.policy_code_root).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(out.fold_root).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  test('gatos prove writes a proof that gatos verify accepts offline and the gate accepts, audited', () => {
    const p = w.gatos(alice, ['prove', '--ns', NS, '--as', 'user:alice', '--json']);
    expect(p.stderr).toBe('');
    const out = JSON.parse(p.stdout) as { commit: string; envelope: { proof: { kind: string } } };
    expect(out.envelope.proof.kind).toBe('commitment');
    proofCommit = out.commit;
    const bytes = Buffer.from(git(alice, ['show', `${proofCommit}:proof.json`]));
    const parsed = parseEnvelope(bytes, 'proof.json');
    if (!parsed.ok) throw new Error(parsed.error.message);
    envelope = parsed.value;
    expect(envelope.checkpoint).toBe(git(alice, ['rev-parse', STATE]));
    expect(envelope.resource).toBe(`gatos://srv/${NS}/state`);
    const v = w.gatos(alice, ['verify', '--ns', NS, '--json']);
    expect(JSON.parse(v.stdout)).toEqual({ ok: true, proof: proofCommit, problems: [] });
    const r = w.push(alice, 'user:alice', [PROOFS]);
    expect(r.stderr).not.toContain('DENIED');
    expect(r.status).toBe(0);
    const e = w.auditEntries().at(-1) as unknown as { outcome: string; updates: { ref: string; resource: string; audited: string[] }[] };
    expect(e.outcome).toBe('accepted');
    expect(e.updates[0]).toMatchObject({ ref: PROOFS, resource: `gatos://srv/${NS}/audit/proofs`, audited: ['audit/proofs'] });
  });

  test('a proof tampered in any field is refused with PROOF_INVALID, each in the audit entry', () => {
    const key = loadKey(w.keyDir, 'user:alice');
    if (!key.ok) throw new Error(key.error.message);
    const now = Math.floor(Date.now() / 1000);
    /** A forger who changes a field and signs again with a key the trust graph lists: only the recomputed roots can catch it. */
    const resigned = (change: Partial<ProofEnvelope>): Uint8Array => {
      const p = commitmentProof({ ...envelope, ...change }, 'user:alice', key.value, now);
      if (!p.ok) throw new Error(p.error.message);
      const b = encodeEnvelope(p.value);
      if (!b.ok) throw new Error(b.error.message);
      return b.value;
    };
    const json = JSON.parse(git(alice, ['show', `${proofCommit}:proof.json`])) as Record<string, unknown> & { proof: { bytes: string; kind: string; fairness: Record<string, string> } };
    const raw = (edit: (j: typeof json) => void): Uint8Array => {
      const j = JSON.parse(JSON.stringify(json)) as typeof json;
      edit(j);
      const b = canonicalJson(j as never);
      if (!b.ok) throw new Error(b.error.message);
      return b.value;
    };
    const other = `blake3:${'ab'.repeat(32)}`;
    const cases: [string, Uint8Array][] = [
      ['inputs_root', resigned({ inputsRoot: other })],
      ['output_root', resigned({ outputRoot: other })],
      ['policy_root', resigned({ policyRoot: `sha256:${'cd'.repeat(32)}` })],
      ['fold_root', resigned({ foldRoot: `sha256:${'ef'.repeat(32)}` })],
      ['resource', resigned({ resource: `gatos://elsewhere/${NS}/state` })],
      ['proof.bytes', raw((j) => { j.inputs_root = other; })],
      ['proof.fairness.sig', raw((j) => { j.proof.fairness.sig = `ed25519:${'0'.repeat(128)}`; })],
      ['proof.kind', raw((j) => { j.proof.kind = 'zk-plonky2'; })],
    ];
    let tip = proofCommit;
    const commits = new Map<string, string>();
    for (const [field, bytes] of cases) {
      tip = proofCommitOf(bytes, tip, `tampered ${field}`);
      commits.set(tip, field);
    }
    git(alice, ['update-ref', PROOFS, tip]);
    // Offline first: gatos verify refuses the last one.
    const v = w.gatos(alice, ['verify', '--ns', NS]);
    expect(v.status).toBe(1);
    expect(v.stdout).toContain('proof.kind');
    const before = w.serverRefs();
    const r = w.push(alice, 'user:alice', [PROOFS]);
    expect(r.status).not.toBe(0);
    expect(w.serverRefs()).toBe(before);
    const e = w.auditEntries().at(-1) as unknown as { outcome: string; denials: { code: string; rule: string; commit: string; reason: string }[] };
    expect(e.outcome).toBe('refused');
    const proofDenials = e.denials.filter((d) => d.rule === 'gate/proof-envelope');
    expect(proofDenials.map((d) => commits.get(d.commit))).toEqual(cases.map(([f]) => f));
    for (const d of proofDenials) {
      expect(d.code).toBe('PROOF_INVALID');
      expect(d.reason).toContain(commits.get(d.commit) as string);
      expect(r.stderr).toContain(d.commit);
    }
    git(alice, ['update-ref', PROOFS, proofCommit]);
  });

  test('a bundle published before Bundle-Id (Policy-Root: blake3:<id>) still loads; events and checkpoints bound to it verify', () => {
    const root = path.join(w.root, 'clients', 'root-pub');
    w.fetch(root, 'user:root');
    const active = git(root, ['rev-parse', 'refs/gatos/policies/active']);
    const msg = git(root, ['log', '-1', '--format=%B', active]);
    const id = /^Bundle-Id: blake3:([0-9a-f]{64})$/m.exec(msg)?.[1] as string;
    const code = /^Policy-Code-Root: (.*)$/m.exec(msg)?.[1] as string;
    // Exactly what publish wrote before decision 0029.
    const who = { GIT_AUTHOR_NAME: 'gatos', GIT_AUTHOR_EMAIL: 'gatos@gatos.invalid', GIT_AUTHOR_DATE: `@${w.now} +0000`, GIT_COMMITTER_NAME: 'gatos', GIT_COMMITTER_EMAIL: 'gatos@gatos.invalid', GIT_COMMITTER_DATE: `@${w.now} +0000` };
    const made = w.git(root, ['commit-tree', `${active}^{tree}`, '-p', active], who, `policy bundle ${id}\n\nPolicy-Root: blake3:${id}\nPolicy-Code-Root: ${code}\n`);
    const legacy = made.stdout.trim();
    git(root, ['update-ref', 'refs/gatos/policies/active', legacy]);
    git(root, ['update-ref', `refs/gatos/policies/${id}`, legacy]);
    const p = w.push(root, 'user:root', ['refs/gatos/policies/active', `refs/gatos/policies/${id}`]);
    expect(p.stderr).not.toContain('DENIED');
    expect(p.status).toBe(0);
    w.fetch(alice, 'user:alice');
    w.addEvent(alice, 'user:alice', NS);
    expect(git(alice, ['log', '-1', '--format=%(trailers:key=Policy-Root,valueonly)', JOURNAL])).toBe(legacy);
    expect(w.gatos(alice, ['fold', 'checkpoint', '--ns', NS, '--as', 'user:alice']).status).toBe(0);
    const r = w.push(alice, 'user:alice', [JOURNAL, STATE]);
    expect(r.stderr).not.toContain('DENIED');
    expect(r.status).toBe(0);
  });

  test('an evidence pack verifies on a copy with no repository; a tampered pack does not', () => {
    const out = path.join(w.root, 'evidence.json');
    const p = w.gatos(w.root, ['evidence', 'pack', '--repo', w.gitDir, '--ns', NS, '--out', out]);
    expect(p.stderr).toBe('');
    expect(p.status).toBe(0);
    const away = tmpDir('gatos-evidence-');
    mkdirSync(away, { recursive: true });
    const copy = path.join(away, 'pack.json');
    copyFileSync(out, copy);
    const v = w.gatos(away, ['evidence', 'verify', copy, '--json']);
    const report = JSON.parse(v.stdout) as { ok: boolean; proofs: number; checkpoints: number; audit_entries: number; problems: string[] };
    expect(report.problems).toEqual([]);
    expect(report).toMatchObject({ ok: true, proofs: 1, checkpoints: 2 });
    expect(report.audit_entries).toBeGreaterThanOrEqual(3);
    expect(v.status).toBe(0);
    // --since after everything: an empty but valid pack (the active bundle only).
    const later = path.join(away, 'later.json');
    expect(w.gatos(w.root, ['evidence', 'pack', '--repo', w.gitDir, '--ns', NS, '--since', '2099-01-01T00:00:00Z', '--out', later]).status).toBe(0);
    const lv = JSON.parse(w.gatos(away, ['evidence', 'verify', later, '--json']).stdout) as Record<string, unknown>;
    expect(lv).toMatchObject({ ok: true, audit_entries: 0, proofs: 0, checkpoints: 0, bundles: 1 });
    // One byte of one object changed: its id no longer matches.
    const pack = JSON.parse(readFileSync(copy, 'utf8')) as { objects: Record<string, { data: string }> };
    const [oid, obj] = Object.entries(pack.objects)[0] as [string, { data: string }];
    const bytes = Buffer.from(obj.data, 'base64');
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] as number) ^ 1;
    obj.data = bytes.toString('base64');
    const tampered = path.join(away, 'tampered.json');
    writeFileSync(tampered, Buffer.from((canonicalJson(pack as never) as { ok: true; value: Uint8Array }).value));
    const t = w.gatos(away, ['evidence', 'verify', tampered]);
    expect(t.status).toBe(1);
    expect(t.stdout).toContain(oid);
  });
});
