/**
 * The pure formats on their own: ULIDs (monotonic, ordered like their
 * time), envelopes (exact fields, no floats, canonical bytes only), bundle
 * ids (content only), Proof-of-Fold envelopes (strict round trip).
 */
import { encodeCanonical } from '../../src/canon/cbor';
import { eventCid } from '../../src/canon/cid';
import { utf8 } from '../../src/core/bytes';
import { bundleId } from '../../src/bundle';
import { decodeProof, encodeProof, inputsRoot, type Proof } from '../../src/checkpoint';
import { decodeEnvelope, encodeEnvelope, eventMessage, incrementUlid, nextUlid, ulidTime, type Envelope } from '../../src/events';
import { formatTrailers } from '../../src/trailers';
import { isEventMessage } from '../../src/events/commit';
import fc from 'fast-check';
import { gitAdd } from '../trailers/git-oracle';

const env: Envelope = { type: 'invoice.created', ulid: '01KDVDNA00DWYZTPBN7E2779MG', actor: 'user:bob', ns: 'finance', caps: ['journal:append'], payload: { id: 'inv-1', amount: 1200 }, policy_root: 'a'.repeat(40), fold_root: `sha256:${'b'.repeat(64)}`, sig_alg: 'ed25519', ts: 1767225600 };

describe('ULIDs', () => {
  it('carry the time, stay monotonic within a millisecond and increment with carry', () => {
    const a = nextUlid(1767225600000, new Uint8Array(10).fill(255));
    if (!a.ok) throw new Error(a.error.message);
    expect(ulidTime(a.value)).toBe(1767225600000);
    const b = nextUlid(1767225600000, new Uint8Array(10), a.value);
    expect(b.ok && b.value > a.value).toBe(true);
    expect(incrementUlid('0000000000000000000000000Z')).toEqual({ ok: true, value: '00000000000000000000000010' });
    expect(incrementUlid('7ZZZZZZZZZZZZZZZZZZZZZZZZZ').ok).toBe(false);
  });
});

describe('envelopes', () => {
  it('round-trip through canonical bytes with their Event-CID', () => {
    const e = encodeEnvelope(env);
    if (!e.ok) throw new Error(e.error.message);
    const d = decodeEnvelope(e.value.bytes);
    expect(d.ok && d.value.cid).toBe(eventCid(e.value.bytes));
    expect(d.ok && d.value.envelope).toEqual(env);
  });

  it.each([
    ['a float in the payload', { ...env, payload: { amount: 1.5 } }],
    ['unsorted caps', { ...env, caps: ['b', 'a'] }],
    ['a bad namespace', { ...env, ns: '../x' }],
    ['a bad actor', { ...env, actor: 'user:Bob' }],
    ['another sig_alg', { ...env, sig_alg: 'rsa' as 'ed25519' }],
    ['a short policy_root', { ...env, policy_root: 'abc' }],
  ])('refuses %s', (_why, bad) => {
    expect(encodeEnvelope(bad as Envelope).ok).toBe(false);
  });

  it('refuses unknown fields, missing fields and non-canonical bytes', () => {
    const e = encodeEnvelope(env);
    if (!e.ok) throw new Error(e.error.message);
    const m = { actor: 'user:bob', caps: ['journal:append'], fold_root: env.fold_root, ns: 'finance', payload: env.payload, policy_root: env.policy_root, sig_alg: 'ed25519', ts: '2026-01-01T00:00:00Z', type: env.type, ulid: env.ulid };
    expect(decodeEnvelope(encodeCanonical({ ...m, extra: 1 })).ok).toBe(false);
    const { ts: _ts, ...noTs } = m;
    expect(decodeEnvelope(encodeCanonical(noTs)).ok).toBe(false);
    expect(decodeEnvelope(encodeCanonical({ ...m, ts: '2026-01-01T00:00:00+00:00' })).ok).toBe(false);
    const padded = new Uint8Array([...e.value.bytes, 0]);
    const r = decodeEnvelope(padded);
    expect(!r.ok && r.error.code).toBe('ENCODING_INVALID');
  });
});

describe('bundle ids and proofs', () => {
  it('a bundle id depends on the files only, not on their order', () => {
    const a = bundleId(new Map([['x/a', utf8('1')], ['b', utf8('2')]]));
    const b = bundleId(new Map([['b', utf8('2')], ['x/a', utf8('1')]]));
    const c = bundleId(new Map([['b', utf8('2')], ['x/a', utf8('3')]]));
    expect(a.ok && b.ok && a.value === b.value).toBe(true);
    expect(a.ok && c.ok && a.value !== c.value).toBe(true);
  });

  it('a proof round-trips and refuses extra or missing fields', () => {
    const p: Proof = { ns: 'finance', foldId: 'f', foldRoot: env.fold_root, foldEngine: 'echo@0.1.0+elc@1.0.0+num=q32.32+rng=pcg32@1', policyRoot: env.policy_root, policyCodeRoot: env.fold_root, stateRoot: `blake3:${'c'.repeat(64)}`, foldStateRoot: `blake3:${'d'.repeat(64)}`, inputsRoot: inputsRoot(new Map([['refs/gatos/journal/finance/user/bob', 'e'.repeat(40)]])), window: [{ journal: 'refs/gatos/journal/finance/user/bob', start: null, end: 'e'.repeat(40), events: 3 }], base: 'scratch', prev: null, events: 3, watermark: { ulid: env.ulid, journal: 'refs/gatos/journal/finance/user/bob', commit: 'e'.repeat(40) }, actor: 'user:alice', key: `ed25519:${'f'.repeat(64)}`, ts: 1767225600 };
    const bytes = encodeProof(p);
    if (!bytes.ok) throw new Error(bytes.error.message);
    expect(decodeProof(bytes.value)).toEqual({ ok: true, value: p });
    expect(inputsRoot(new Map([['b', '1'], ['a', '2']]))).toBe(inputsRoot(new Map([['a', '2'], ['b', '1']])));
  });
});

describe('the event message', () => {
  const sig = new Uint8Array(64).map((_, i) => (i * 37) & 255);
  const signer = new Uint8Array(32).map((_, i) => (i * 11 + 3) & 255);
  const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
  // Types that take the direct path and types (with ':') that go through formatTrailers.
  it.each(['invoice.created', 'a', 'A-b_c.9', 'x:y', 'Signed-off-by:me', 'a:b:c'])('for type %s is what formatTrailers and git interpret-trailers write', (type) => {
    const e = encodeEnvelope({ ...env, type });
    if (!e.ok) throw new Error(e.error.message);
    const m = eventMessage(e.value, sig, signer);
    if (!m.ok) throw new Error(m.error.message);
    const subject = `${type} ${env.ulid}\n`;
    // The trailers in the order docs/formats.md gives.
    const trailers = [
      { key: 'Event-CID', value: e.value.cid },
      { key: 'Sig-Alg', value: 'ed25519' },
      { key: 'Sig', value: `ed25519:${hex(sig)}` },
      { key: 'Signer', value: `ed25519:${hex(signer)}` },
      { key: 'Policy-Root', value: env.policy_root },
      { key: 'Fold-Root', value: env.fold_root },
    ];
    const viaFormat = formatTrailers(subject, trailers);
    expect(viaFormat.ok && viaFormat.value).toEqual(m.value);
    expect(m.value).toEqual(gitAdd(subject, trailers));
  });

  it('is recognised without being built (isEventMessage) exactly when it equals eventMessage\'s text', () => {
    // Types whose message is compared piece by piece, and types (with ':') whose message is built and compared.
    const events = ['invoice.created', 'x:y', 'a', 'Signed-off-by:me'].map((type) => {
      const e = encodeEnvelope({ ...env, type });
      if (!e.ok) throw new Error(e.error.message);
      const m = eventMessage(e.value, sig, signer);
      if (!m.ok) throw new Error(m.error.message);
      return { e, m };
    });
    const edit = fc.tuple(fc.nat(), fc.constantFrom('flip', 'drop', 'insert', 'cut', 'none'), fc.constantFrom('a', '\n', ' ', ':', '0', 'Z'));
    fc.assert(fc.property(fc.constantFrom(...events), edit, ({ e, m }, [pos, how, c]) => {
      const i = pos % (m.value.length + 1);
      const text = how === 'none' ? m.value : how === 'flip' ? m.value.slice(0, i) + c + m.value.slice(i + 1)
        : how === 'drop' ? m.value.slice(0, i) + m.value.slice(i + 1) : how === 'insert' ? m.value.slice(0, i) + c + m.value.slice(i) : m.value.slice(0, i);
      expect(isEventMessage(text, e.value, `ed25519:${hex(sig)}`, `ed25519:${hex(signer)}`)).toBe(text === m.value);
    }), { numRuns: 600 });
    for (const { e, m } of events) {
      for (const text of [`${m.value}\n`, `${m.value}x`, m.value.slice(0, -1), `${m.value.slice(0, -1)}\r\n`]) {
        expect(isEventMessage(text, e.value, `ed25519:${hex(sig)}`, `ed25519:${hex(signer)}`)).toBe(false);
      }
    }
  });
});
