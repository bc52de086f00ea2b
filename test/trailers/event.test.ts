/** The event commit trailer set, and the Event-CID form it carries (src/canon/cid). */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { blake3, sha256 } from '../../src/canon/digest';
import { formatPublicKey, formatSignature, generateKeyPair, sign, verify } from '../../src/canon/ed25519';
import { utf8 } from '../../src/core/bytes';
import { eventCid } from '../../src/canon/cid';
import { eventTrailerInputs, formatTrailers, parseEventCid, parseEventTrailers, type EventTrailers } from '../../src/trailers';

const OID = '6a'.repeat(20);
const FOLD = 'sha256:' + '7b'.repeat(32);

function signedEvent(): { message: string; envelopeBytes: Uint8Array; publicKey: Uint8Array } {
  const kp = generateKeyPair();
  // Stands in for the envelope's canonical DAG-CBOR bytes: the trailers only carry their digest and signature.
  const envelopeBytes = utf8(`event envelope ${Buffer.from(kp.publicKey).toString('hex')}`);
  const sig = sign(kp.seed, envelopeBytes);
  const message = [
    'event: intent.exec.insert_invoice',
    '',
    `Event-CID: ${eventCid(envelopeBytes)}`,
    'Sig-Alg: ed25519',
    `Sig: ${formatSignature(sig)}`,
    `Signer: ${formatPublicKey(kp.publicKey)}`,
    `Policy-Root: ${OID}`,
    `Fold-Root: ${FOLD}`,
    '',
  ].join('\n');
  return { message, envelopeBytes, publicKey: kp.publicKey };
}

describe('parseEventTrailers', () => {
  it('reads a signed event into values a verifier can use directly', () => {
    const { message, envelopeBytes, publicKey } = signedEvent();
    const r = parseEventTrailers(message, 'sha1');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.eventCid.digest).toEqual(blake3(envelopeBytes));
    expect(r.value.sigAlg).toBe('ed25519');
    expect(r.value.signer).toEqual(publicKey);
    expect(verify(r.value.signer, envelopeBytes, r.value.sig)).toBe(true);
    expect(r.value.policyRoot).toBe(OID);
    expect(r.value.foldRoot).toEqual({ alg: 'sha256', bytes: new Uint8Array(32).fill(0x7b) });
  });

  it('round-trips through formatTrailers', () => {
    const { message } = signedEvent();
    const r = parseEventTrailers(message, 'sha1');
    if (!r.ok) throw new Error('expected ok');
    const again = formatTrailers('event: intent.exec.insert_invoice\n', eventTrailerInputs(r.value));
    expect(again).toEqual({ ok: true, value: message });
  });

  it('names every missing trailer at once', () => {
    const r = parseEventTrailers('event\n\nReviewed-by: x\n', 'sha1');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.map((p) => `${p.trailer}:${p.kind}`)).toEqual(['Event-CID:missing', 'Sig-Alg:missing', 'Sig:missing', 'Signer:missing', 'Policy-Root:missing', 'Fold-Root:missing']);
  });

  it('names every malformed, unsupported or repeated trailer at once', () => {
    const { message } = signedEvent();
    const bad = message
      .replace(/Event-CID: b/, 'Event-CID: B')
      .replace('Sig-Alg: ed25519', 'Sig-Alg: rsa')
      .replace(/Sig: ed25519:([0-9a-f]{64})[0-9a-f]{64}/, 'Sig: ed25519:$1')
      .replace(/Signer: ed25519:/, 'Signer: ')
      .replace(`Policy-Root: ${OID}`, `Policy-Root: ${OID}\npolicy-root: ${OID}`)
      .replace(FOLD, 'blake3:' + '7b'.repeat(32));
    const r = parseEventTrailers(bad, 'sha1');
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.map((p) => `${p.trailer}:${p.kind}`)).toEqual(['Event-CID:malformed', 'Sig-Alg:malformed', 'Sig:malformed', 'Signer:malformed', 'Policy-Root:repeated', 'Fold-Root:malformed']);
      expect(r.error.every((p) => p.code === 'TRAILER_INVALID' && p.location?.line !== undefined)).toBe(true);
    }
  });

  it('leaves signature checking to the verifier: a wrong but well-formed signature parses', () => {
    const { message } = signedEvent();
    const other = formatSignature(sign(generateKeyPair().seed, sha256(utf8('x'))));
    const r = parseEventTrailers(message.replace(/Sig: .*/, `Sig: ${other}`), 'sha1');
    expect(r.ok).toBe(true);
  });

  it('type-checks its result shape', () => {
    const shape: (keyof EventTrailers)[] = ['eventCid', 'sigAlg', 'sig', 'signer', 'policyRoot', 'foldRoot'];
    const r = parseEventTrailers(signedEvent().message, 'sha1');
    expect(r.ok && Object.keys(r.value).sort()).toEqual([...shape].sort());
  });
});

/** CIDs written by the multiformats package itself, run as ESM in a child node. */
interface CidSpec {
  readonly version?: 0 | 1;
  readonly codec?: number;
  readonly hash?: number;
  readonly digest: Uint8Array;
}

function multiformatsCids(specs: readonly CidSpec[]): string[] {
  const script = `
    import { CID } from 'multiformats/cid';
    import * as Digest from 'multiformats/hashes/digest';
    const specs = JSON.parse(process.argv[1]);
    const out = specs.map((s) => CID.create(s.version, s.codec, Digest.create(s.hash, Uint8Array.from(Buffer.from(s.hex, 'hex')))).toString());
    console.log(JSON.stringify(out));`;
  const json = JSON.stringify(specs.map((s) => ({ version: s.version ?? 1, codec: s.codec ?? 0x71, hash: s.hash ?? 0x1e, hex: Buffer.from(s.digest).toString('hex') })));
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script, json], {
    cwd: path.resolve(__dirname, '../..'),
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout) as string[];
}

describe('Event-CID (src/canon/cid, as the trailer reads it)', () => {
  const envelopes = Array.from({ length: 64 }, (_, i) => utf8(`event ${i}`));

  it('agrees with multiformats on 64 CIDs in both directions', () => {
    const theirs = multiformatsCids(envelopes.map((e) => ({ digest: blake3(e) })));
    envelopes.forEach((e, i) => {
      expect(eventCid(e)).toBe(theirs[i]);
      expect(parseEventCid(theirs[i] as string)).toEqual({ ok: true, value: { text: theirs[i], digest: blake3(e) } });
    });
    console.log(`[trailers] Event-CID: ${envelopes.length}/${envelopes.length} equal to multiformats`);
  });

  it('refuses other CIDs and non-canonical text', () => {
    const good = eventCid(envelopes[0] as Uint8Array);
    const refuse = (t: string) => {
      const r = parseEventCid(t);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error.code).toBe('VALUE_INVALID');
    };
    refuse('');
    refuse(good.toUpperCase()); // base32upper
    refuse(`B${good.slice(1)}`);
    refuse(`${good}=`); // padding
    refuse(`${good}a`); // a dangling character
    refuse(good.slice(0, -1));
    // The last character carries 3 data bits and 2 spare bits that must be zero.
    const last = good[good.length - 1] as string;
    const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
    refuse(good.slice(0, -1) + alphabet[alphabet.indexOf(last) + 1]);
    const d = blake3(envelopes[1] as Uint8Array);
    const [v0, raw, sha2, short] = multiformatsCids([
      { version: 0, codec: 0x70, hash: 0x12, digest: d },
      { codec: 0x55, digest: d },
      { hash: 0x12, digest: d },
      { digest: d.subarray(0, 20) },
    ]);
    expect(v0).toMatch(/^Qm/);
    for (const t of [v0, raw, sha2, short]) refuse(t as string);
  });
});
