/**
 * Adversarial events: poisoned journals (issue 10 class 8), ULID and ts
 * bindings and one clock rule (issue 10 class 9), the backdating bound of
 * every template (issue 17 class 7). Every event here is forged with the
 * producer's own library (canonical CBOR, ed25519, the event commit), so
 * only what the attacker changes differs from an honest event.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { tryEncodeCanonical } from '../../src/canon/cbor';
import { eventCid } from '../../src/canon/cid';
import { sign } from '../../src/canon/ed25519';
import { eventCommitWithSig } from '../../src/events/commit';
import { encodeEnvelope, type Envelope } from '../../src/events/envelope';
import { openRepo } from '../../src/git';
import { loadKey, parseKeyFile } from '../../src/keys';
import { formatTime } from '../../src/trust';
import { ObjectBatch } from '../../src/workspace/object-batch';
import { GateWorld, ulidAt } from '../helpers/gate-world';
import { expectAccepted, expectAttackRefused as refusedBy, publishBundle, type Expected } from './harness';
import type { Run } from '../helpers/gate-world';

const DAY = 86400;

/** expectAttackRefused, and the attack's rule is the only one that refused it (no other denial hides a miss). */
function expectAttackRefused(w: GateWorld, push: () => Run, want: Expected & { rule: string }): Run {
  const r = refusedBy(w, push, want);
  const denials = w.auditEntries().at(-1)?.denials ?? [];
  expect(denials.map((d) => `${d.code} ${d.rule}`)).toEqual(denials.map(() => `${want.code} ${want.rule}`));
  return r;
}

/** An EchoLua fold that reads a field of every ledger event. */
const LEDGER = `
inputs = { "refs/gatos/journal/ledger/**" }

function init()
  return { total = 0 }
end

function step(state, event)
  state.total = state.total + event.payload.amount
  return state
end

function emit(state)
  return { ["state/ledger/total.json"] = { total = state.total } }
end
`;

interface Key {
  readonly seed: Uint8Array;
  readonly publicKey: Uint8Array;
}

interface Forge {
  readonly type?: string;
  readonly payload?: unknown;
  readonly ts?: number;
  readonly ulid?: string;
  /** Signing key (default: the actor's current key file). */
  readonly key?: Key;
  /** The bundle bound (default: the active one). */
  readonly policyRoot?: string;
  /** Changes the canonical envelope bytes before they are signed. */
  readonly bytes?: (b: Uint8Array) => Uint8Array;
}

/**
 * A signed event on `actor`'s journal of `ns` on top of the server's tip,
 * with the envelope built directly (no producer-side check), the local ref
 * moved to it. Returns the journal ref.
 */
async function forge(w: GateWorld, dir: string, actor: string, ns: string, o: Forge = {}): Promise<string> {
  const ref = `refs/gatos/journal/${ns}/${actor.replace(':', '/')}`;
  const srvTip = w.git(w.root, ['--git-dir', w.gitDir, 'rev-parse', '--verify', '-q', ref]).stdout.trim();
  const key = o.key ?? (() => {
    const k = loadKey(w.keyDir, actor);
    if (!k.ok) throw new Error(k.error.message);
    return k.value;
  })();
  const b = w.activeBundle(dir);
  const ts = o.ts ?? Math.floor(Date.now() / 1000);
  const envelope: Envelope = {
    type: o.type ?? 'flag.set', ulid: o.ulid ?? ulidAt(ts), actor, ns, caps: ['journal:append'], payload: o.payload ?? { flag: `f${Date.now()}`, on: true },
    policy_root: o.policyRoot ?? b.commit, fold_root: b.foldRoot, sig_alg: 'ed25519', ts,
  };
  const map = { actor, caps: ['journal:append'], fold_root: envelope.fold_root, ns, payload: envelope.payload, policy_root: envelope.policy_root, sig_alg: 'ed25519', ts: formatTime(ts), type: envelope.type, ulid: envelope.ulid };
  const encoded = tryEncodeCanonical(map);
  if (!encoded.ok) throw new Error(encoded.error.message);
  const bytes = o.bytes ? o.bytes(encoded.value) : encoded.value;
  const enc = { envelope, bytes, cid: eventCid(bytes) };
  const built = eventCommitWithSig(w.opts.format, enc, sign(key.seed, bytes), key.publicKey, srvTip === '' ? undefined : srvTip);
  if (!built.ok) throw new Error(built.error.message);
  const opened = await openRepo(path.join(dir, '.git'), { env: w.env() });
  if (!opened.ok) throw new Error(opened.error.message);
  try {
    const batch = new ObjectBatch(opened.value.format);
    batch.addAll(built.value.objects);
    const wr = await batch.write(opened.value);
    if (!wr.ok) throw new Error(wr.error.message);
  } finally {
    await opened.value.close();
  }
  const u = w.git(dir, ['update-ref', ref, built.value.commit]);
  if (u.status !== 0) throw new Error(u.stderr);
  return ref;
}

/** Replaces the first occurrence of `from` in `b` by `to` (same length). */
function replaceBytes(b: Uint8Array, from: Buffer, to: Buffer): Uint8Array {
  const buf = Buffer.from(b);
  const at = buf.indexOf(from);
  if (at < 0 || from.length !== to.length) throw new Error('marker not found');
  to.copy(buf, at);
  return new Uint8Array(buf);
}

/**
 * A world whose active bundle rotated alice's key nine days ago and carries
 * the LEDGER EchoLua fold: returns alice's client and her rotated-out key.
 */
function rotatedWorld(format: 'sha1' | 'sha256', template: string): { w: GateWorld; alice: string; oldKey: Key } {
  const w = new GateWorld({ format, template }).setup();
  const before = new Set(readdirSync(path.join(w.keyDir, 'user')));
  if (w.gatos(w.root, ['key', 'new', '--actor', 'user:alice', '--rotate']).status !== 0) throw new Error('key rotate');
  const oldFile = readdirSync(path.join(w.keyDir, 'user')).find((f) => /^alice\.[0-9a-f]{16}\.key$/.test(f) && !before.has(f));
  if (!oldFile) throw new Error('no rotated-out key file');
  const old = parseKeyFile(new Uint8Array(readFileSync(path.join(w.keyDir, 'user', oldFile))), oldFile);
  if (!old.ok) throw new Error(old.error.message);
  // Level 2: the airgapped template lets only level 2 and up append.
  const rot = w.gatos(w.admin, ['trust', 'add', 'user:alice', w.publicKey('user:alice'), '--level', template === 'airgapped' ? '2' : '1', '--as', 'user:root'], { GATOS_NOW: formatTime(w.now - 9 * DAY) });
  if (rot.status !== 0) throw new Error(rot.stderr);
  publishBundle(w, template, { 'gatos/folds/ledger.lua': LEDGER });
  return { w, alice: w.client('user:alice'), oldKey: old.value };
}

const NFD = 'cafe\u0301';
let nsCounter = 0;
const freshNs = (): string => `n${++nsCounter}`;

describe('the producer refuses to sign text the gate would refuse', () => {
  const e = (payload: unknown): Envelope => ({ type: 'note.added', ulid: '01J9Z8K6QW3T5V7X9Y1A2B3C4D', actor: 'user:alice', ns: 'n', caps: [], payload, policy_root: 'a'.repeat(40), fold_root: `sha256:${'b'.repeat(64)}`, sig_alg: 'ed25519', ts: 1_700_000_000 });

  test('non-NFC text and lone surrogates are ENCODING_INVALID before anything is signed; NFC is encoded', () => {
    for (const bad of [{ t: NFD }, { [NFD]: 1 }, { t: ['x', { y: NFD }] }, { t: 'a\ud800b' }, { t: '\udc00' }]) {
      const r = encodeEnvelope(e(bad));
      expect(r.ok ? 'encoded' : r.error.code).toBe('ENCODING_INVALID');
    }
    expect(encodeEnvelope(e({ t: 'caf\u00e9', 'd\u00e9j\u00e0': ['\u{1F600}'] })).ok).toBe(true);
  });
});

for (const format of ['sha1', 'sha256'] as const) {
  describe(`poisoned journals and weak time bindings (${format}, regulated)`, () => {
    let w: GateWorld;
    let alice: string;
    let oldKey: Key;
    const push = (ref: string) => () => w.push(alice, 'user:alice', [ref]);

    beforeAll(() => {
      ({ w, alice, oldKey } = rotatedWorld(format, 'regulated'));
    });

    let honestNs = '';

    test('an honest event, and one whose payload text is NFC but not ASCII, are accepted', async () => {
      honestNs = freshNs();
      expectAccepted(w, push(await forge(w, alice, 'user:alice', honestNs)));
      expectAccepted(w, push(await forge(w, alice, 'user:alice', freshNs(), { payload: { flag: 'caf\u00e9', 'd\u00e9j\u00e0': 'vu', on: true } })));
    });

    test('a payload value not in NFC is refused (ENCODING_INVALID, gate/event)', async () => {
      // The attacker poisons every later checkpoint of the flags fold: its emitted flag names would not be NFC.
      expectAttackRefused(w, push(await forge(w, alice, 'user:alice', freshNs(), { payload: { flag: NFD, on: true } })), { code: 'ENCODING_INVALID', rule: 'gate/event' });
    });

    test('a payload key not in NFC is refused (ENCODING_INVALID, gate/event)', async () => {
      // The flags fold emits the whole payload: a non-NFC key would make its emission impossible.
      expectAttackRefused(w, push(await forge(w, alice, 'user:alice', freshNs(), { payload: { flag: 'k', [NFD]: 1, on: true } })), { code: 'ENCODING_INVALID', rule: 'gate/event' });
    });

    test('non-NFC text deep in a list of the payload is refused too', async () => {
      // Text the fold never emits today may be emitted by the next fold: every string counts.
      expectAttackRefused(w, push(await forge(w, alice, 'user:alice', freshNs(), { type: 'note.added', payload: { tags: ['ok', { deeper: [NFD] }] } })), { code: 'ENCODING_INVALID', rule: 'gate/event' });
    });

    test('gatos event add refuses to write a non-NFC payload (ENCODING_INVALID)', () => {
      const r = w.gatos(alice, ['event', 'add', '--ns', freshNs(), '--type', 'note.added', '--payload', JSON.stringify({ text: NFD }), '--as', 'user:alice']);
      expect(r.status).not.toBe(0);
      expect(r.stderr).toContain('ENCODING_INVALID');
      expect(r.stderr).toContain('not in Unicode NFC');
    });

    test('a lone surrogate (UTF-8 of U+D800) in the payload is refused (ENCODING_INVALID, gate/event)', async () => {
      // Bytes no fold can turn into text, signed properly.
      const ref = await forge(w, alice, 'user:alice', freshNs(), { payload: { flag: 'XYZ', on: true }, bytes: (b) => replaceBytes(b, Buffer.from('6358595a', 'hex'), Buffer.from('63eda080', 'hex')) });
      expectAttackRefused(w, push(ref), { code: 'ENCODING_INVALID', rule: 'gate/event' });
    });

    test('a flag event missing the field the YAML fold keys on is refused (FOLD_ERROR, gate/event)', async () => {
      // The flags fold reads $.payload.flag: without it no checkpoint of the journal could ever be made.
      const r = expectAttackRefused(w, push(await forge(w, alice, 'user:alice', freshNs(), { payload: { on: true } })), { code: 'FOLD_ERROR', rule: 'gate/event' });
      expect(r.stderr).toContain("fold 'flags'");
    });

    test('a flag event whose key is a map is refused (FOLD_ERROR, gate/event)', async () => {
      // Wrong type at a path the fold reads.
      expectAttackRefused(w, push(await forge(w, alice, 'user:alice', freshNs(), { payload: { flag: { a: 1 }, on: true } })), { code: 'FOLD_ERROR', rule: 'gate/event' });
    });

    test('a ledger event the EchoLua fold cannot add up is refused (FOLD_ERROR, gate/event); an honest one and its checkpoint are accepted', async () => {
      // step reads event.payload.amount: a missing amount is arithmetic on nil, forever.
      const ns = 'ledger';
      let r = expectAttackRefused(w, push(await forge(w, alice, 'user:alice', ns, { type: 'pay', payload: { note: 'no amount' } })), { code: 'FOLD_ERROR', rule: 'gate/event' });
      expect(r.stderr).toContain("fold 'ledger'");
      // The gate names the failing line of the bundle's source (decision 0019).
      expect(r.stderr).toContain('at gatos/folds/ledger.lua:9');
      // A table where a number is read.
      r = expectAttackRefused(w, push(await forge(w, alice, 'user:alice', ns, { type: 'pay', payload: { amount: { n: 1 } } })), { code: 'FOLD_ERROR', rule: 'gate/event' });
      expectAccepted(w, push(await forge(w, alice, 'user:alice', ns, { type: 'pay', payload: { amount: 5 } })));
      expect(w.gatos(alice, ['fold', 'checkpoint', '--ns', 'ledger', '--fold', 'ledger', '--as', 'user:alice']).status).toBe(0);
      expectAccepted(w, () => w.push(alice, 'user:alice', ['refs/gatos/state/ledger']));
    });

    test('a non-NFC payload on the EchoLua fold\'s journal is refused as well', async () => {
      // The text rule does not depend on which fold reads the journal.
      w.git(alice, ['fetch', '-q', 'origin', '+refs/gatos/*:refs/gatos/*']);
      expectAttackRefused(w, push(await forge(w, alice, 'user:alice', 'ledger', { type: 'pay', payload: { amount: 1, memo: NFD } })), { code: 'ENCODING_INVALID', rule: 'gate/event' });
    });

    test('a ULID five centuries after ts is refused (POLICY_DENY, gate/event-time)', async () => {
      // It would win every last-writer-wins merge until the year 2500.
      const ts = Math.floor(Date.now() / 1000);
      expectAttackRefused(w, push(await forge(w, alice, 'user:alice', freshNs(), { ts, ulid: ulidAt(ts + 500 * 365 * DAY) })), { code: 'POLICY_DENY', rule: 'gate/event-time' });
    });

    test('a ULID ten minutes after ts is refused; one a second after is accepted', async () => {
      // The smallest lead that buys a last-writer-wins race.
      const ts = Math.floor(Date.now() / 1000);
      expectAttackRefused(w, push(await forge(w, alice, 'user:alice', freshNs(), { ts, ulid: ulidAt(ts + 600) })), { code: 'POLICY_DENY', rule: 'gate/event-time' });
      expectAccepted(w, push(await forge(w, alice, 'user:alice', freshNs(), { ts, ulid: ulidAt(ts + 1) })));
    });

    test('a ULID thirty days before ts is refused (POLICY_DENY, gate/event-time)', async () => {
      // A fresh ts with an old ULID: sorted before history it never saw.
      const ts = Math.floor(Date.now() / 1000);
      expectAttackRefused(w, push(await forge(w, alice, 'user:alice', freshNs(), { ts, ulid: ulidAt(ts - 30 * DAY) })), { code: 'POLICY_DENY', rule: 'gate/event-time' });
    });

    test('an event 400 s ahead is refused at the default skew (POLICY_DENY, gate/event-time), accepted once the operator raises it to 600 s', async () => {
      // One rule, one code: the setting decides, not a constant elsewhere.
      const ahead = Math.floor(Date.now() / 1000) + 400;
      const ns = freshNs();
      expectAttackRefused(w, push(await forge(w, alice, 'user:alice', ns, { ts: ahead })), { code: 'POLICY_DENY', rule: 'gate/event-time' });
      w.git(w.root, ['--git-dir', w.gitDir, 'config', 'gatos.maxFutureSkewSeconds', '600']);
      try {
        expectAccepted(w, push(await forge(w, alice, 'user:alice', freshNs(), { ts: ahead })));
      } finally {
        w.git(w.root, ['--git-dir', w.gitDir, 'config', '--unset', 'gatos.maxFutureSkewSeconds']);
      }
    });

    test('the rotated-out key backdating an event to before its rotation is refused (POLICY_DENY, gate/event-time)', async () => {
      // The old key is valid at the forged ts (before the rotation, nine days ago); only the age bound stops it.
      expectAttackRefused(w, push(await forge(w, alice, 'user:alice', freshNs(), { key: oldKey, ts: w.now - 9 * DAY - 3600 })), { code: 'POLICY_DENY', rule: 'gate/event-time' });
    });

    test('the rotated-out key dating an event now is refused by the trust graph (POLICY_DENY, gate/event)', async () => {
      // Without backdating the old key is simply no longer alice's.
      expectAttackRefused(w, push(await forge(w, alice, 'user:alice', freshNs(), { key: oldKey })), { code: 'POLICY_DENY', rule: 'gate/event' });
    });

    test('after every refused poisoning, a checkpoint of the flags fold over every journal is made and accepted', () => {
      // The rule itself: nothing accepted above blocks a checkpoint.
      w.git(alice, ['fetch', '-q', '--prune', 'origin', '+refs/gatos/*:refs/gatos/*']);
      const cp = w.gatos(alice, ['fold', 'checkpoint', '--ns', honestNs, '--fold', 'flags', '--as', 'user:alice']);
      expect(cp.stderr).toBe('');
      expect(cp.status).toBe(0);
      expectAccepted(w, () => w.push(alice, 'user:alice', [`refs/gatos/state/${honestNs}`]));
    });
  });
}

for (const [template, format, bound, skew] of [['minimal', 'sha1', 7 * DAY, 300], ['airgapped', 'sha256', 3600, 60]] as const) {
  describe(`the backdating bound of the ${template} template (${format})`, () => {
    let w: GateWorld;
    let alice: string;
    let oldKey: Key;
    const push = (ref: string) => () => w.push(alice, 'user:alice', [ref]);

    beforeAll(() => {
      ({ w, alice, oldKey } = rotatedWorld(format, template));
    });

    test(`install sets gatos.maxPastSkewSeconds to ${bound}`, () => {
      expect(w.git(w.root, ['--git-dir', w.gitDir, 'config', 'gatos.maxPastSkewSeconds']).stdout.trim()).toBe(String(bound));
    });

    test('an event dated just inside the bound is accepted', async () => {
      expectAccepted(w, push(await forge(w, alice, 'user:alice', freshNs(), { ts: Math.floor(Date.now() / 1000) - bound + 120 })));
    });

    test('an event of the current key dated beyond the bound is refused (POLICY_DENY, gate/event-time)', async () => {
      // A valid key and grant at the forged time: only the age gives it away.
      expectAttackRefused(w, push(await forge(w, alice, 'user:alice', freshNs(), { ts: Math.floor(Date.now() / 1000) - bound - 120 })), { code: 'POLICY_DENY', rule: 'gate/event-time' });
    });

    test('the rotated-out key backdating an event to before its rotation is refused (POLICY_DENY, gate/event-time)', async () => {
      // What a stolen, rotated-out key signs: dated before the rotation, when it was still alice's.
      expectAttackRefused(w, push(await forge(w, alice, 'user:alice', freshNs(), { key: oldKey, ts: w.now - 9 * DAY - 3600 })), { code: 'POLICY_DENY', rule: 'gate/event-time' });
    });

    test(`an event ${skew * 2} s ahead is refused (POLICY_DENY, gate/event-time)`, async () => {
      // Beyond the template's clock skew.
      expectAttackRefused(w, push(await forge(w, alice, 'user:alice', freshNs(), { ts: Math.floor(Date.now() / 1000) + skew * 2 })), { code: 'POLICY_DENY', rule: 'gate/event-time' });
    });

    test('a non-NFC payload is refused under this template too', async () => {
      // The text rule is the gate's, not a template's.
      expectAttackRefused(w, push(await forge(w, alice, 'user:alice', freshNs(), { type: 'note.added', payload: { text: NFD } })), { code: 'ENCODING_INVALID', rule: 'gate/event' });
    });
  });
}

describe('the same refusals with the update hook alone (sha256, regulated)', () => {
  let w: GateWorld;
  let alice: string;
  const push = (ref: string) => () => w.push(alice, 'user:alice', [ref]);

  beforeAll(() => {
    w = new GateWorld({ format: 'sha256', hooks: 'update' }).setup();
    alice = w.client('user:alice');
  });

  test('an honest forged-by-library event is accepted', async () => {
    expectAccepted(w, push(await forge(w, alice, 'user:alice', freshNs())));
  });

  test('a non-NFC payload is refused (ENCODING_INVALID, gate/event)', async () => {
    // The text rule lives in event verification, which both hooks run.
    expectAttackRefused(w, push(await forge(w, alice, 'user:alice', freshNs(), { payload: { flag: NFD, on: true } })), { code: 'ENCODING_INVALID', rule: 'gate/event' });
  });

  test('an event the flags fold cannot fold is refused (FOLD_ERROR, gate/event)', async () => {
    // No flag to key on.
    expectAttackRefused(w, push(await forge(w, alice, 'user:alice', freshNs(), { payload: { on: false } })), { code: 'FOLD_ERROR', rule: 'gate/event' });
  });

  test('a ULID a year ahead of ts is refused (POLICY_DENY, gate/event-time)', async () => {
    // Last-writer-wins for a year.
    const ts = Math.floor(Date.now() / 1000);
    expectAttackRefused(w, push(await forge(w, alice, 'user:alice', freshNs(), { ts, ulid: ulidAt(ts + 365 * DAY) })), { code: 'POLICY_DENY', rule: 'gate/event-time' });
  });

  test('an event 400 s ahead is refused at the default skew, accepted with 600 s set', async () => {
    // The setting, read by the update hook too, is the only clock bound.
    const ahead = Math.floor(Date.now() / 1000) + 400;
    expectAttackRefused(w, push(await forge(w, alice, 'user:alice', freshNs(), { ts: ahead })), { code: 'POLICY_DENY', rule: 'gate/event-time' });
    w.git(w.root, ['--git-dir', w.gitDir, 'config', 'gatos.maxFutureSkewSeconds', '600']);
    try {
      expectAccepted(w, push(await forge(w, alice, 'user:alice', freshNs(), { ts: ahead })));
    } finally {
      w.git(w.root, ['--git-dir', w.gitDir, 'config', '--unset', 'gatos.maxFutureSkewSeconds']);
    }
  });
});
