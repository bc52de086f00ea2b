/**
 * Proof envelopes, the bundle's fold_root, resource URIs and evidence packs
 * without git: the pure parts, each refusing what it must.
 */
import { bundleFoldRoot, declaredBundleIds } from '../../src/bundle/fold-root';
import { sha256Text } from '../../src/canon/digest';
import { canonicalJson } from '../../src/canon/jcs';
import { generateKeyPair } from '../../src/canon/ed25519';
import { encodePack, readPack, verifyPack, type EvidencePack } from '../../src/evidence/pack';
import { auditEntry, needsAudit, type AuditContext } from '../../src/gate/audit-entry';
import { refResource, repoNameOf, resourceUri } from '../../src/gate/resource';
import { classifyRef } from '../../src/gate/ref-class';
import { verdictOf } from '../../src/gate/verdict';
import type { RefDecision } from '../../src/gate/decide';
import { checkCommitment, checkSubject, commitmentProof, encodeEnvelope, parseEnvelope, type ProofSubject } from '../../src/proof/envelope';
import { makeObject } from '../../src/workspace/git-objects';
import { compilePolicy, loadPolicy } from '../../src/rgs';
import { emptyGraphJson, readTrustSet } from '../../src/trust';
import { decideUpdate, readGateConfig, type ActiveBundle } from '../../src/gate';

const subject: ProofSubject = {
  ns: 'finance',
  resource: 'gatos://srv/finance/state',
  checkpoint: 'a'.repeat(40),
  bundle: 'b'.repeat(40),
  inputsRoot: `blake3:${'1'.repeat(64)}`,
  outputRoot: `blake3:${'2'.repeat(64)}`,
  policyRoot: `sha256:${'3'.repeat(64)}`,
  foldRoot: `sha256:${'4'.repeat(64)}`,
};

function signed(s: ProofSubject = subject) {
  const kp = generateKeyPair();
  const p = commitmentProof(s, 'user:alice', { seed: kp.seed, publicKey: kp.publicKey }, 1_767_225_600);
  if (!p.ok) throw new Error(p.error.message);
  return p.value;
}

describe('proof envelopes', () => {
  test('a commitment proof round-trips through its canonical bytes, type-tagged, and holds', () => {
    const e = signed();
    const bytes = encodeEnvelope(e);
    if (!bytes.ok) throw new Error(bytes.error.message);
    const json = JSON.parse(Buffer.from(bytes.value).toString('utf8')) as { proof: { kind: string; fairness: Record<string, string> }; fold_root: string; policy_root: string };
    expect(json.proof.kind).toBe('commitment');
    expect(Object.keys(json.proof.fairness).sort()).toEqual(['actor', 'key', 'sig', 'ts']);
    expect(json.fold_root).toBe(subject.foldRoot);
    const back = parseEnvelope(bytes.value, 'proof.json');
    expect(back.ok && back.value).toEqual(e);
    expect(checkCommitment(e)).toEqual([]);
    expect(checkSubject(e, subject)).toEqual([]);
  });

  test('each field changed after signing is caught, by the commitment or by the signature', () => {
    const e = signed();
    for (const [field, change] of Object.entries({ inputsRoot: `blake3:${'9'.repeat(64)}`, outputRoot: `blake3:${'9'.repeat(64)}`, policyRoot: `sha256:${'9'.repeat(64)}`, foldRoot: `sha256:${'9'.repeat(64)}`, checkpoint: 'c'.repeat(40), resource: 'gatos://x/finance/state' })) {
      expect([field, checkCommitment({ ...e, [field]: change }).map((p) => p.field)]).toEqual([field, ['proof.bytes', 'proof.fairness.sig']]);
    }
    expect(checkCommitment({ ...e, proof: { ...e.proof, fairness: { ...e.proof.fairness, actor: 'user:mallory' } } }).map((p) => p.field)).toEqual(['proof.fairness.sig']);
    expect(checkCommitment({ ...e, proof: { ...e.proof, kind: 'zk-plonky2' } }).map((p) => p.field)).toEqual(['proof.kind']);
  });

  test('a proof re-signed over wrong roots holds by itself, and checkSubject names every wrong root', () => {
    const e = signed({ ...subject, foldRoot: `sha256:${'5'.repeat(64)}`, policyRoot: `sha256:${'6'.repeat(64)}` });
    expect(checkCommitment(e)).toEqual([]);
    expect(checkSubject(e, subject).map((p) => p.field)).toEqual(['policy_root', 'fold_root']);
  });

  test('bytes that are not a canonical proof envelope are PROOF_INVALID', () => {
    const e = signed();
    const good = encodeEnvelope(e);
    if (!good.ok) throw new Error(good.error.message);
    const text = Buffer.from(good.value).toString('utf8');
    const bad = [`${text}\n`, text.replace('"kind":"commitment"', '"kind":"Commitment"'), text.replace('"v":1', '"v":2'), text.replace('"fold_root":"sha256:', '"fold_root":"blake3:')];
    for (const b of bad) {
      const r = parseEnvelope(Buffer.from(b), 'proof.json');
      expect(r.ok ? 'parsed' : r.error.code).toBe('PROOF_INVALID');
    }
  });
});

describe('the fold_root of a bundle', () => {
  test('is sha256 of the canonical map of its folds, whatever their order', () => {
    const a = { id: 'a', foldRoot: `sha256:${'1'.repeat(64)}` };
    const b = { id: 'b', foldRoot: `sha256:${'2'.repeat(64)}` };
    const want = canonicalJson({ folds: { a: a.foldRoot, b: b.foldRoot }, type: 'gatos/bundle-folds', v: 1 });
    if (!want.ok) throw new Error(want.error.message);
    expect(bundleFoldRoot([a, b])).toBe(sha256Text(want.value));
    expect(bundleFoldRoot([b, a])).toBe(bundleFoldRoot([a, b]));
    expect(bundleFoldRoot([a])).not.toBe(bundleFoldRoot([a, b]));
  });

  test('a bundle commit declares its id as Bundle-Id; one without it (before 0029) as Policy-Root', () => {
    expect(declaredBundleIds('policy bundle x\n\nBundle-Id: blake3:x\nPolicy-Code-Root: sha256:y\nFold-Root: sha256:z\n')).toEqual({ values: ['blake3:x'], legacy: false });
    expect(declaredBundleIds('policy bundle x\n\nPolicy-Root: blake3:x\nPolicy-Code-Root: sha256:y\n')).toEqual({ values: ['blake3:x'], legacy: true });
  });
});

describe('resource URIs', () => {
  test('gatos://<repo>/<ns>/<path> for each plane, percent-encoded', () => {
    expect(refResource('srv', 'refs/gatos/journal/finance/user/alice')).toBe('gatos://srv/finance/journal/user/alice');
    expect(refResource('srv', 'refs/gatos/state/finance')).toBe('gatos://srv/finance/state');
    expect(refResource('srv', 'refs/gatos/audit/proofs/finance')).toBe('gatos://srv/finance/audit/proofs');
    expect(refResource('srv', 'refs/gatos/policies/active')).toBe('gatos://srv/_/gatos/policies/active');
    expect(refResource('srv', 'refs/heads/main')).toBe('gatos://srv/_/heads/main');
    expect(resourceUri('my repo', 'ns', 'a b/ü')).toBe('gatos://my%20repo/ns/a%20b/%C3%BC');
    expect(repoNameOf('/srv/git/project.git')).toBe('project');
    expect(repoNameOf('git@host:team/project.git')).toBe('project');
    expect(repoNameOf('https://host/team/project/')).toBe('project');
  });

  test('refs/gatos/audit/proofs/<ns> is its own plane; the rest of refs/gatos/audit stays the gate\'s', () => {
    expect(classifyRef('refs/gatos/audit/proofs/finance')).toEqual({ plane: 'proofs', ns: 'finance' });
    expect(classifyRef('refs/gatos/audit/policy')).toEqual({ plane: 'audit' });
    expect(classifyRef('refs/gatos/audit/proofs/a/b').plane).toBe('gatos-other');
  });
});

describe('audit entries', () => {
  const ctx: AuditContext = { hook: 'pre-receive', now: 1_767_225_600, mode: 'enforce', transport: 'file', updates: [{ ref: 'refs/gatos/policies/active', oldId: '1'.repeat(40), newId: '2'.repeat(40) }], policyRoot: 'b'.repeat(40), policyCodeRoot: subject.policyRoot, foldRoot: subject.foldRoot, repoName: 'srv' };
  const decision = (audited: string[]): RefDecision => ({ ref: 'refs/gatos/policies/active', oldId: '1'.repeat(40), newId: '2'.repeat(40), intent: 'policy_change', allowed: true, denials: [], allowedBy: ['p'], commits: [], events: 0, audited });

  test('an accepted update a rule marked audit: true decided needs an entry; one no such rule decided does not', () => {
    expect(needsAudit(verdictOf([decision(['policy/trusted-publishers'])]))).toBe(true);
    expect(needsAudit(verdictOf([decision([])]))).toBe(false);
  });

  test('the entry carries policy_root with fold_root, and each update its resource and audited rules', () => {
    const e = auditEntry(verdictOf([decision(['policy/trusted-publishers'])]), ctx) as Record<string, unknown> & { updates: Record<string, unknown>[] };
    expect(e).toMatchObject({ outcome: 'accepted', policy_root: ctx.policyRoot, policy_code_root: ctx.policyCodeRoot, fold_root: ctx.foldRoot });
    expect(e.updates[0]).toMatchObject({ resource: 'gatos://srv/_/gatos/policies/active', audited: ['policy/trusted-publishers'] });
  });
});

describe('which audit: true rules an update records', () => {
  const RGS = [
    'rules:',
    '  - id: a/allow-audited',
    '    when: { ref: "refs/heads/**" }',
    '    allow_if: true',
    '    audit: true',
    '  - id: b/deny-only-audited',
    '    when: { ref: "refs/heads/**" }',
    '    deny_if: "ref == \'refs/heads/forbidden\'"',
    '    audit: true',
    '',
  ].join('\n');
  function bundle(): ActiveBundle {
    const c = compilePolicy([{ file: 'p.rgs', text: RGS }]);
    if (!c.ok) throw new Error(JSON.stringify(c.error));
    const p = loadPolicy(c.value.bytes);
    if (!p.ok) throw new Error(p.error.message);
    const g = canonicalJson(emptyGraphJson());
    if (!g.ok) throw new Error(g.error.message);
    const t = readTrustSet(new Map([['graph.json', g.value]]));
    if (!t.ok) throw new Error(t.error.message);
    return { commit: 'c'.repeat(40), policyCodeRoot: c.value.root, policy: p.value, trust: t.value, folds: [] };
  }
  const config = readGateConfig([]);
  const decide = (ref: string) => {
    if (!config.ok) throw new Error(config.error.message);
    const facts = { update: { ref, oldId: '0'.repeat(40), newId: 'a'.repeat(40) }, fastForward: false, commits: [{ id: 'a'.repeat(40), parents: 0, paths: ['x'], signed: false }], events: [], checkpoints: [], tip: ['commit' as const] };
    return decideUpdate(facts, bundle(), config.value, { pusher: {}, now: 1_700_000_000, transport: 'file', pushOptions: [], remote: 'local' });
  };

  test('the rules that allowed or denied it, never a deny-only rule whose condition did not hold', () => {
    expect(decide('refs/heads/topic')).toMatchObject({ allowed: true, audited: ['a/allow-audited'] });
    expect(decide('refs/heads/forbidden')).toMatchObject({ allowed: false, audited: ['b/deny-only-audited'] });
  });
});

describe('evidence packs', () => {
  const blob = makeObject('sha1', 'blob', Buffer.from('x'));
  const pack: EvidencePack = { format: 'sha1', repo: 'srv', ns: 'finance', since: null, refs: new Map(), audit: [], proofs: [], checkpoints: [], bundles: [], journals: [], objects: new Map([[blob.id, { type: 'blob', data: blob.data }]]) };

  test('encode and read are inverse and deterministic; a pack of whole objects verifies', () => {
    const a = encodePack(pack);
    if (!a.ok) throw new Error(a.error.message);
    const back = readPack(a.value, 'pack.json');
    if (!back.ok) throw new Error(back.error.message);
    const again = encodePack(back.value);
    expect(again.ok && Buffer.from(again.value).equals(Buffer.from(a.value))).toBe(true);
    expect(verifyPack(back.value)).toMatchObject({ ok: true, problems: [] });
  });

  test('an object whose bytes do not hash to its id, or a listed commit that is missing, is a problem', () => {
    const altered = verifyPack({ ...pack, objects: new Map([[blob.id, { type: 'blob', data: Buffer.from('y') }]]) });
    expect(altered.ok).toBe(false);
    expect(altered.problems[0]).toContain(`object ${blob.id}`);
    const missing = verifyPack({ ...pack, proofs: ['c'.repeat(40)] });
    expect(missing.problems).toEqual([`proof ${'c'.repeat(40)} is not a commit in the pack`]);
  });

  test('a pack that is not canonical JSON, or of another type, is refused', () => {
    const a = encodePack(pack);
    if (!a.ok) throw new Error(a.error.message);
    const text = Buffer.from(a.value).toString('utf8');
    for (const b of [` ${text}`, text.replace('gatos/evidence-pack', 'gatos/other')]) {
      const r = readPack(Buffer.from(b), 'pack.json');
      expect(r.ok ? 'read' : r.error.code).toBe('PROOF_INVALID');
    }
  });
});
