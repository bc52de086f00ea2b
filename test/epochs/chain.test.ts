/** Epoch anchors and chains, the pure parts: the payload's encoding, epoch refs, the chain checks behind EPOCH_BROKEN, and epochSanity. No git. */
import { canonicalJson } from '../gate/imports';
import { anchorPayload, epochRef, parseEpochRef, readAnchorPayload, type Anchor, type AnchorPayload } from '../../src/epoch/anchor';
import { encodeEnvelope, decodeEnvelope } from '../../src/events/envelope';
import { anchorProblems, chainProblems, chainTip, crossingProblem, epochFailures, epochSanity, type ChainLink, type EpochContext } from '../../src/gate/epoch';
import { classifyRef, decideUpdate, readGateConfig, type UpdateFacts } from '../../src/gate';
import { compilePolicy, loadPolicy } from '../../src/rgs';
import { enforcedIn } from '../../src/gate/verdict';
import { emptyGraphJson, readTrustSet } from '../../src/trust';

const NS = 'cfg';
const J = 'refs/gatos/journal/cfg/user/alice';
const K = 'refs/gatos/journal/cfg/user/bob';
const id = (c: string): string => c.repeat(40);
const E1 = '01J9Z8K6QW3T5V7X9Y1A2B3C4D';
const E2 = '01J9Z8K6QW3T5V7X9Y1A2B3C4E';
const E3 = '01J9Z8K6QW3T5V7X9Y1A2B3C4F';
const ACTIVE = id('b');
const STATE = { checkpoint: id('5'), stateRoot: `blake3:${'7'.repeat(64)}` };

const link = (epoch: string, commit: string, seq: number, prev: string | null): ChainLink => ({ ref: `refs/gatos/epoch/${NS}/${epoch}`, commit, epoch, seq, prev });
const L1 = link(E1, id('1'), 1, null);
const L2 = link(E2, id('2'), 2, id('1'));

function anchor(over: Partial<Anchor> = {}): Anchor {
  return { seq: 3, prev: L2.commit, parent: L2.commit, heads: new Map([[J, id('a')]]), state: STATE, commit: id('3'), epoch: E3, ns: NS, actor: 'user:root', signer: `ed25519:${'9'.repeat(64)}`, ts: 1_700_000_000, policyRoot: ACTIVE, ...over };
}

const ctx = (over: Partial<EpochContext> = {}): EpochContext => ({ anchors: [L1, L2], heads: new Map([[J, id('a')]]), state: { ...STATE, ends: new Map([[J, id('a')]]) }, ...over });
const REF3 = `refs/gatos/epoch/${NS}/${E3}`;
const reasons = (fs: readonly { reason: string; code: string }[]): string[] => fs.map((f) => `${f.code} ${f.reason}`);

describe('the anchor payload', () => {
  const p: AnchorPayload = { seq: 2, prev: id('1'), heads: new Map([[K, id('c')], [J, id('a')]]), state: STATE };

  test('encodes canonically inside an event envelope and reads back to the same payload', () => {
    const env = { type: 'gatos.epoch.anchor', ulid: E2, actor: 'user:root', ns: NS, caps: [], payload: anchorPayload(p), policy_root: ACTIVE, fold_root: `sha256:${'0'.repeat(64)}`, sig_alg: 'ed25519' as const, ts: 1_700_000_000 };
    const enc = encodeEnvelope(env);
    if (!enc.ok) throw new Error(enc.error.message);
    // Heads in any order give the same bytes.
    const again = encodeEnvelope({ ...env, payload: anchorPayload({ ...p, heads: new Map([[J, id('a')], [K, id('c')]]) }) });
    expect(again.ok && Buffer.from(again.value.bytes).equals(Buffer.from(enc.value.bytes))).toBe(true);
    const dec = decodeEnvelope(enc.value.bytes);
    if (!dec.ok) throw new Error(dec.error.message);
    const back = readAnchorPayload(dec.value.envelope.payload, NS);
    expect(back).toEqual({ ok: true, value: { ...p, heads: new Map([[J, id('a')], [K, id('c')]]) } });
  });

  test('refuses every malformed payload with the field it is about', () => {
    const base = anchorPayload(p);
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ ...base, extra: 1 }, /exactly the fields/],
      [{ ...base, v: 2 }, /'v' must be 1/],
      [{ ...base, seq: 0 }, /'seq' must be an integer from 1/],
      [{ ...base, prev: 'main' }, /'prev' must be a commit id or null/],
      [{ ...base, prev: null }, /'prev' is null exactly for the first epoch/],
      [{ ...base, heads: { 'refs/gatos/journal/other/user/alice': id('a') } }, /is not a journal of namespace cfg/],
      [{ ...base, heads: { [J]: 'HEAD' } }, /the head of .* must be a commit id/],
      [{ ...base, state: { checkpoint: id('5') } }, /'state' must be null or \{checkpoint, state_root\}/],
      [{ ...base, state: { checkpoint: id('5'), state_root: 'sha256:00' } }, /state_root' must be blake3/],
    ];
    for (const [payload, message] of cases) {
      const r = readAnchorPayload(payload, NS);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(`${r.error.code} ${r.error.message}`).toMatch(message);
    }
  });

  test('epoch refs are refs/gatos/epoch/<ns>/<ulid>, a plane of their own; anything else there is no GATOS name', () => {
    expect(epochRef(NS, E1)).toEqual({ ok: true, value: `refs/gatos/epoch/cfg/${E1}` });
    expect(parseEpochRef(`refs/gatos/epoch/cfg/${E1}`)).toEqual({ ok: true, value: { ns: NS, epoch: E1 } });
    expect(classifyRef(`refs/gatos/epoch/cfg/${E1}`)).toEqual({ plane: 'epoch', ns: NS, epoch: E1 });
    for (const bad of ['refs/gatos/epoch/cfg', 'refs/gatos/epoch/cfg/1', `refs/gatos/epoch/Cfg/${E1}`, `refs/gatos/epoch/cfg/${E1}/x`]) expect(classifyRef(bad).plane).toBe('gatos-other');
  });
});

describe('chain checks', () => {
  test('an anchor that extends the chain at its tip, with the heads and state of the server, passes', () => {
    expect(chainProblems(REF3, 'create', anchor(), ctx(), ACTIVE)).toEqual([]);
    expect(chainProblems(`refs/gatos/epoch/${NS}/${E1}`, 'create', anchor({ seq: 1, prev: null, parent: null, epoch: E1 }), ctx({ anchors: [] }), ACTIVE)).toEqual([]);
  });

  test('each way of breaking the chain has its own located reason', () => {
    const cases: [string, Anchor, EpochContext, RegExp][] = [
      ['missing link', anchor({ prev: id('e'), parent: id('e') }), ctx(), /names previous anchor e+, which is no anchor of namespace cfg on the server \(a missing link\)/],
      ['wrong parent', anchor({ parent: null }), ctx(), /its commit's parent \(none\) is not its payload's prev 2+/],
      ['fork', anchor({ prev: L1.commit, parent: L1.commit, seq: 2 }), ctx(), /claims predecessor .*01J9Z8K6QW3T5V7X9Y1A2B3C4D, which .*4E already follows: a fork/],
      ['second first', anchor({ prev: null, parent: null, seq: 1 }), ctx(), /starts a new chain .* has 2 already: a fork/],
      ['numbering', anchor({ seq: 5 }), ctx(), /numbers itself 5, but follows .* number 2/],
      ['time order', anchor({ epoch: E1 }), ctx(), /epoch 01J9Z8K6QW3T5V7X9Y1A2B3C4D of namespace cfg, not the one its ref names/],
      ['stale heads', anchor({ heads: new Map([[J, id('f')]]) }), ctx(), /does not record the journal heads on the server: refs\/gatos\/journal\/cfg\/user\/alice is at a+ on the server, the anchor records f+/],
      ['a journal left out', anchor(), ctx({ heads: new Map([[J, id('a')], [K, id('c')]]), state: { ...STATE, ends: new Map([[J, id('a')], [K, id('c')]]) } }), /refs\/gatos\/journal\/cfg\/user\/bob is at c+ on the server, the anchor records nothing/],
      ['other checkpoint', anchor({ state: { ...STATE, checkpoint: id('6') } }), ctx(), /records checkpoint 6+, but refs\/gatos\/state\/cfg is at 5+/],
      ['other state root', anchor({ state: { ...STATE, stateRoot: `blake3:${'8'.repeat(64)}` } }), ctx(), /records State-Root blake3:8+, but checkpoint 5+ has blake3:7+/],
      ['checkpoint behind the heads', anchor(), ctx({ state: { ...STATE, ends: new Map([[J, id('d')]]) } }), /the checkpoint it records does not end at its heads/],
      ['no state recorded', anchor({ state: null }), ctx(), /records no state, but refs\/gatos\/state\/cfg is at 5+/],
      ['old bundle', anchor({ policyRoot: id('c') }), ctx(), /binds bundle c+, not the active bundle b+/],
      ['already forked on the server', anchor(), ctx({ anchors: [L1, L2, link(E3.replace('F', 'G'), id('4'), 2, id('1'))] }), /no single last anchor on the server/],
    ];
    for (const [name, a, c, message] of cases) {
      const r = reasons(chainProblems(REF3, 'create', a, c, ACTIVE));
      expect({ name, r }).toEqual({ name, r: expect.arrayContaining([expect.stringMatching(message)]) });
      expect(r.every((x) => x.startsWith('EPOCH_BROKEN '))).toBe(true);
    }
  });

  test('an anchor ref never moves: a non-fast-forward and a fast-forward are both refused', () => {
    expect(reasons(chainProblems(REF3, 'force', anchor(), ctx(), ACTIVE))).toEqual([expect.stringMatching(/already names an anchor: anchors never move \(a non-fast-forward of an epoch ref\)/)]);
    expect(reasons(chainProblems(REF3, 'write', anchor(), ctx(), ACTIVE))).toEqual([expect.stringMatching(/anchors never move \(a write of an epoch ref\)/)]);
    expect(reasons(epochFailures(REF3, 'delete', {}, emptyTrust(), ACTIVE))).toEqual([expect.stringMatching(/cannot be deleted/)]);
  });

  test("an anchor whose signer the active trust does not know is refused, and an unreadable one carries its reader's reason", () => {
    expect(reasons(anchorProblems(REF3, 'create', anchor(), ctx(), emptyTrust(), ACTIVE))).toEqual([expect.stringMatching(/^EPOCH_BROKEN anchor 3+ .*: its signer: .*user:root.*by the active bundle's trust/)]);
    const f = epochFailures(REF3, 'create', { anchor: { ok: false, code: 'SIG_INVALID', reason: 'event x: Sig does not verify' } }, emptyTrust(), ACTIVE);
    expect(f).toEqual([expect.objectContaining({ code: 'EPOCH_BROKEN', ruleId: 'gate/epoch', reason: `${REF3}: not a verifiable anchor: event x: Sig does not verify (SIG_INVALID)` })]);
  });

  test('evaluate mode never relaxes EPOCH_BROKEN: a broken chain is a failed verification, not a policy outcome', () => {
    for (const f of epochFailures(REF3, 'create', { anchor: { ok: true, anchor: anchor({ prev: id('e'), parent: id('e') }) }, context: ctx() }, emptyTrust(), ACTIVE)) {
      expect(enforcedIn('evaluate', { code: f.code, ruleId: f.ruleId ?? '', ref: REF3 })).toBe(true);
    }
  });

  test('journal and state updates must descend from what the latest anchor recorded', () => {
    expect(crossingProblem(J, { anchor: REF3, recorded: id('a'), descends: true })).toBeUndefined();
    expect(crossingProblem(J, { anchor: REF3, recorded: id('a'), descends: false })?.reason).toMatch(/does not start from .*: its new tip does not descend from a+, the journal head the anchor records/);
    expect(crossingProblem('refs/gatos/state/cfg', { anchor: REF3, recorded: id('5'), descends: false })?.reason).toMatch(/the checkpoint the anchor records/);
    expect(crossingProblem('refs/gatos/state/cfg', { anchor: REF3, recorded: id('5'), descends: true, stateRootMatches: false })?.reason).toMatch(/no longer has the State-Root/);
  });
});

describe('chainTip and epochSanity', () => {
  test('the tip is the one anchor nobody follows', () => {
    expect(chainTip([L2, L1])).toBe(L2);
    expect(chainTip([])).toBeUndefined();
    expect(chainTip([L1, L2, link(E3, id('3'), 2, id('1'))])).toBeUndefined();
  });

  test('a sound chain has no problem; forks, gaps, renumbering, two firsts and moved refs are each named', () => {
    expect(epochSanity(NS, [L1, L2], new Map([[J, true]]))).toEqual([]);
    expect(epochSanity(NS, [])).toEqual([]);
    const probs = epochSanity(NS, [L1, L2, link(E3, id('3'), 2, id('1')), link('01J9Z8K6QW3T5V7X9Y1A2B3C4G', id('4'), 4, id('e')), link('01J9Z8K6QW3T5V7X9Y1A2B3C4H', id('5'), 1, null)], new Map([[J, false]]));
    expect(probs.map((p) => `${p.ref ?? ''} ${p.problem}`)).toEqual([
      ' 2 anchors start a chain; exactly one must',
      `refs/gatos/epoch/cfg/01J9Z8K6QW3T5V7X9Y1A2B3C4G its previous anchor ${id('e')} is missing`,
      `${L1.ref} forked: followed by ${L2.ref} and refs/gatos/epoch/cfg/${E3}`,
      `${J} does not descend from what the latest anchor records`,
    ]);
  });
});

describe('before_epoch against the namespace\'s current epoch', () => {
  const rgs = `rules:
  - id: journal/first-day-of-epoch
    when: { ref: "refs/gatos/journal/**" }
    deny_if: "epoch.seq < 2 or not before_epoch(epoch.start + 86400)"
    reason: "journals take appends only in the first day of an epoch, from the second on"
  - id: journal/open
    when: { ref: "refs/gatos/journal/**" }
    allow_if: true
`;
  const now = 1_700_000_000;
  const decide = (epoch: { seq: number; start: number } | undefined) => {
    const c = compilePolicy([{ file: 'p.rgs', text: rgs }]);
    if (!c.ok) throw new Error(JSON.stringify(c.error));
    const p = loadPolicy(c.value.bytes);
    if (!p.ok) throw new Error(p.error.message);
    const config = readGateConfig([]);
    if (!config.ok) throw new Error(config.error.message);
    const facts: UpdateFacts = { update: { ref: J, oldId: id('a'), newId: id('d') }, fastForward: true, commits: [{ id: id('d'), parents: 1, paths: ['event.cbor'], signed: false }], events: [], checkpoints: [], tip: ['commit'], ...(epoch ? { epoch: { current: epoch } } : {}) };
    return decideUpdate(facts, { commit: ACTIVE, policyCodeRoot: c.value.root, policy: p.value, trust: emptyTrust(), folds: [] }, config.value, { pusher: {}, now, transport: 'file', pushOptions: [] });
  };

  test('the epoch attribute carries the latest anchor, so before_epoch(epoch.start + t) bounds time within an epoch', () => {
    expect(decide({ seq: 2, start: now - 3600 })).toMatchObject({ allowed: true, allowedBy: ['journal/open'] });
    expect(decide({ seq: 2, start: now - 90_000 }).denials).toEqual([expect.objectContaining({ ruleId: 'journal/first-day-of-epoch', enforced: true })]);
    expect(decide({ seq: 1, start: now }).allowed).toBe(false);
    // No anchor in the namespace: the attribute is absent and the rule cannot be evaluated, so it denies.
    expect(decide(undefined).denials).toEqual([expect.objectContaining({ ruleId: 'journal/first-day-of-epoch', reason: expect.stringMatching(/missing attribute 'epoch'/) })]);
  });
});

function emptyTrust(): ReturnType<typeof readTrustSet> extends { ok: true; value: infer T } | { ok: false } ? T : never {
  const t = readTrustSet(new Map([['graph.json', canonicalJson(emptyGraphJson())]]));
  if (!t.ok) throw new Error(t.error.message);
  return t.value;
}
