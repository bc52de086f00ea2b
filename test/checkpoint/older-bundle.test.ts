/**
 * A checkpoint folded under an older (ancestor) bundle: refused by default
 * (the policy does not name `checkpoint`), decided by the policy when it
 * does, through checkpoint.policy_root_matches_active and
 * checkpoint.fold_root_matches_active. Real pushes, regulated template.
 */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { checkpointAttribute, policyDecidesCheckpointBundles } from '../../src/gate/checkpoint-bundle';
import type { UpdateFacts } from '../../src/gate';
import { compilePolicy, loadPolicy } from '../../src/rgs';
import { GateWorld, REPO_ROOT } from '../helpers/gate-world';
import { expectRefused } from '../helpers/gate-scenarios';

const STATE_RGS = readFileSync(path.join(REPO_ROOT, 'templates/regulated/gatos/policies/state.rgs'), 'utf8');

function policyOf(text: string) {
  const c = compilePolicy([{ file: 'p.rgs', text }]);
  if (!c.ok) throw new Error(c.error.map((d) => d.message).join('\n'));
  const l = loadPolicy(c.value.bytes);
  if (!l.ok) throw new Error(l.error.message);
  return l.value;
}

describe('the checkpoint attribute and who decides', () => {
  test('a policy decides older bundles only if it names checkpoint', () => {
    expect(policyDecidesCheckpointBundles(policyOf(STATE_RGS))).toBe(false);
    expect(policyDecidesCheckpointBundles(policyOf(STATE_RGS.replace('"actor.trust >= 1"', '"actor.trust >= 1"\n      - "checkpoint.fold_root_matches_active"')))).toBe(true);
  });

  test('every verified checkpoint counts; failed ones do not', () => {
    const facts = (checkpoints: UpdateFacts['checkpoints']): UpdateFacts => ({ update: { ref: 'refs/gatos/state/x', oldId: '0'.repeat(40), newId: 'a'.repeat(40) }, fastForward: false, commits: [], events: [], checkpoints });
    const signer = { commit: 'c'.repeat(40), actor: 'user:alice', key: `ed25519:${'1'.repeat(64)}`, ns: 'x', ts: 1_700_000_000 };
    expect(checkpointAttribute(facts([]))).toBeUndefined();
    expect(checkpointAttribute(facts([{ ok: true, detail: 'x', signer }]))).toEqual({ policy_root_matches_active: true, fold_root_matches_active: true });
    const older = { commit: 'c'.repeat(40), policyRoot: 'b'.repeat(40) };
    expect(checkpointAttribute(facts([{ ok: true, detail: 'x', signer }, { ok: true, detail: 'y', signer, olderBundle: { ...older, foldRootMatches: true } }]))).toEqual({ policy_root_matches_active: false, fold_root_matches_active: true });
    expect(checkpointAttribute(facts([{ ok: true, detail: 'y', signer, olderBundle: { ...older, foldRootMatches: false } }, { ok: false, code: 'PROOF_INVALID', reason: 'r' }]))).toEqual({ policy_root_matches_active: false, fold_root_matches_active: false });
  });
});

describe('a checkpoint under an older bundle, over real pushes (sha1, regulated)', () => {
  let w: GateWorld;
  let alice: string;
  const STATE = 'refs/gatos/state/finance';
  const JOURNAL = 'refs/gatos/journal/finance/user/alice';
  let n = 0;

  /** The trusted root publishes the regulated template with `state.rgs` replaced, and pushes it. */
  function publish(stateRgs: string): string {
    const dir = w.client('user:root', `root-${++n}`);
    expect(w.gatos(dir, ['policy', 'init', '--template', 'regulated', '--force']).status).toBe(0);
    cpSync(path.join(w.admin, 'gatos/trust'), path.join(dir, 'gatos/trust'), { recursive: true });
    writeFileSync(path.join(dir, 'gatos/policies/state.rgs'), stateRgs);
    writeFileSync(path.join(dir, 'gatos/policies/zz-marker.rgs'), `rules:\n  - id: marker/${n}\n    when: { ref: "refs/tags/marker-${n}" }\n    deny_if: true\n`);
    const pub = w.gatos(dir, ['policy', 'publish', '--as', 'user:root']);
    expect(pub.status).toBe(0);
    const r = w.push(dir, 'user:root', ['refs/gatos/policies/*']);
    expect(r.stderr).not.toContain('DENIED');
    expect(r.status).toBe(0);
    return w.git(dir, ['rev-parse', 'refs/gatos/policies/active']).stdout.trim();
  }

  beforeAll(() => {
    w = new GateWorld({ format: 'sha1' }).setup();
    alice = w.client('user:alice');
    w.addEvent(alice, 'user:alice', 'finance');
    expect(w.push(alice, 'user:alice', [JOURNAL]).status).toBe(0);
    // Folded under the installed bundle, pushed only after the bundle moves on.
    expect(w.gatos(alice, ['fold', 'checkpoint', '--ns', 'finance', '--as', 'user:alice']).status).toBe(0);
  });

  test('the templates keep refusing it (PROOF_INVALID, gate/proof-of-fold), with an audit entry', () => {
    const folded = w.git(alice, ['log', '-1', '--format=%(trailers:key=Policy-Root,valueonly)', STATE]).stdout.trim();
    const active = publish(STATE_RGS);
    expect(active).not.toBe(folded);
    expectRefused(w, () => w.push(alice, 'user:alice', [STATE]), 'PROOF_INVALID', 'gate/proof-of-fold');
    const denial = w.auditEntries().at(-1)?.denials.find((d) => d.rule === 'gate/proof-of-fold');
    expect(denial?.reason).toContain(`its Policy-Root ${folded} is an older bundle, not the active bundle ${active}`);
  });

  test('a policy that requires the active Policy-Root refuses it by its own rule (POLICY_DENY, state/checkpoint)', () => {
    publish(STATE_RGS.replace('"actor.trust >= 1"', '"actor.trust >= 1"\n      - "checkpoint.policy_root_matches_active"'));
    expectRefused(w, () => w.push(alice, 'user:alice', [STATE]), 'POLICY_DENY', 'state/checkpoint');
  });

  test('a policy that accepts an older bundle with the same fold lets it land', () => {
    publish(STATE_RGS.replace('"actor.trust >= 1"', '"actor.trust >= 1"\n      - "checkpoint.fold_root_matches_active"'));
    const entries = w.auditEntries().length;
    const r = w.push(alice, 'user:alice', [STATE]);
    expect(r.stderr).not.toContain('DENIED');
    expect(r.status).toBe(0);
    expect(w.serverRefs()).toContain(` ${STATE}`);
    expect(w.auditEntries()).toHaveLength(entries);
  });

  test('under that policy a checkpoint of the active bundle still lands', () => {
    w.fetch(alice, 'user:alice');
    w.addEvent(alice, 'user:alice', 'finance');
    expect(w.push(alice, 'user:alice', [JOURNAL]).status).toBe(0);
    expect(w.gatos(alice, ['fold', 'checkpoint', '--ns', 'finance', '--as', 'user:alice']).status).toBe(0);
    const r = w.push(alice, 'user:alice', [STATE]);
    expect(r.stderr).not.toContain('DENIED');
    expect(r.status).toBe(0);
  });
});
