/** Strict parsing of the typed values GATOS writes into trailers. */
import { blake3, formatDigest, sha256 } from '../../src/canon/digest';
import { formatPublicKey, formatSignature, generateKeyPair, sign } from '../../src/canon/ed25519';
import { utf8 } from '../../src/core/bytes';
import { ECHO_VERSION, ELC_VERSION, FOLD_ENGINE, FOLD_MATH, NUM_MODEL, RNG_ID } from '../../src/fold/engine-id';
import { formatFoldEngine, parseFoldEngine } from '../../src/trailers/fold-engine';
import {
  formatFoldMath,
  parseCommitId,
  parseDigestOf,
  parseEd25519PublicKey,
  parseEd25519Signature,
  parseFoldMath,
  parseFoldVersion,
  parseSigAlg,
  parseVersionedName,
} from '../../src/trailers/values';

describe('commit ids', () => {
  const sha1 = 'a'.repeat(39) + '1';
  const sha256Id = 'b'.repeat(63) + '2';
  it('accept full lowercase ids of the repository format', () => {
    expect(parseCommitId(sha1, 'sha1')).toEqual({ ok: true, value: sha1 });
    expect(parseCommitId(sha256Id, 'sha256')).toEqual({ ok: true, value: sha256Id });
  });
  it.each([
    ['a sha256 id in a sha1 repository', sha256Id, 'sha1', /64.*sha256 id/],
    ['a sha1 id in a sha256 repository', sha1, 'sha256', /40.*sha1 id/],
    ['an abbreviation', sha1.slice(0, 12), 'sha1', /expected 40 hex digits, found 12/],
    ['uppercase hex', sha1.toUpperCase(), 'sha1', /uppercase/],
    ['a ref name', 'refs/heads/main', 'sha1', /not hex/],
    ['the zero id', '0'.repeat(40), 'sha1', /zero id/],
    ['the sha256 zero id', '0'.repeat(64), 'sha256', /zero id/],
    ['an empty value', '', 'sha1', /found 0/],
  ] as const)('refuse %s', (_name, text, format, message) => {
    const r = parseCommitId(text, format);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('VALUE_INVALID');
      expect(r.error.message).toMatch(message);
      expect(r.error.hint).toMatch(/full/);
    }
  });
});

describe('digests', () => {
  it('take the algorithm the trailer fixes', () => {
    const d = formatDigest({ alg: 'blake3', bytes: blake3(utf8('state')) });
    expect(parseDigestOf('blake3')(d).ok).toBe(true);
    expect(parseDigestOf('sha256')(d).ok).toBe(false);
    expect(parseDigestOf('blake3')(d.toUpperCase()).ok).toBe(false);
    expect(parseDigestOf('sha256')(formatDigest({ alg: 'sha256', bytes: sha256(utf8('x')) }))).toMatchObject({ ok: true });
  });
});

describe('ed25519 values', () => {
  it('round-trip a real key and signature and refuse the wrong lengths', () => {
    const kp = generateKeyPair();
    const sig = sign(kp.seed, utf8('event bytes'));
    expect(parseEd25519PublicKey(formatPublicKey(kp.publicKey))).toEqual({ ok: true, value: kp.publicKey });
    expect(parseEd25519Signature(formatSignature(sig))).toEqual({ ok: true, value: sig });
    expect(parseEd25519PublicKey(formatSignature(sig)).ok).toBe(false);
    expect(parseEd25519Signature(formatPublicKey(kp.publicKey)).ok).toBe(false);
    expect(parseSigAlg('ed25519').ok).toBe(true);
    for (const bad of ['Ed25519', 'ed448', '', ' ed25519']) expect(parseSigAlg(bad).ok).toBe(false);
  });
});

describe('Fold-Engine', () => {
  it("parses our own engine id into the parts src/fold declares", () => {
    const r = parseFoldEngine(FOLD_ENGINE);
    expect(r).toEqual({ ok: true, value: { echo: ECHO_VERSION, elc: ELC_VERSION, num: NUM_MODEL, rng: { name: 'pcg32', version: '1' } } });
    expect(`${(r.ok && r.value.rng.name) || ''}@${(r.ok && r.value.rng.version) || ''}`).toBe(RNG_ID);
    if (r.ok) expect(formatFoldEngine(r.value)).toBe(FOLD_ENGINE);
  });

  it('accepts pre-release semvers and other versions', () => {
    expect(parseFoldEngine('echo@1.2.3-rc.1+elc@10.0.0-alpha-2+num=q16.16+rng=pcg32@1.2')).toEqual({
      ok: true,
      value: { echo: '1.2.3-rc.1', elc: '10.0.0-alpha-2', num: 'q16.16', rng: { name: 'pcg32', version: '1.2' } },
    });
  });

  it.each([
    ['', /4 parts/],
    ['echo@0.1.0+elc@1.0.0+num=q32.32', /4 parts/],
    ['echo@0.1.0+elc@1.0.0+num=q32.32+rng=pcg32@1+extra', /4 parts/],
    ['elc@1.0.0+echo@0.1.0+num=q32.32+rng=pcg32@1', /part 1 must start with 'echo@'/],
    ['echo@0.1+elc@1.0.0+num=q32.32+rng=pcg32@1', /'0.1' after 'echo@' is not a semver/],
    ['echo@01.0.0+elc@1.0.0+num=q32.32+rng=pcg32@1', /not a semver/],
    ['echo@0.1.0+elc@1.0.0-01+num=q32.32+rng=pcg32@1', /after 'elc@' is not a semver/],
    ['echo@0.1.0+elc@1.0.0+num=float64+rng=pcg32@1', /num=/],
    ['echo@0.1.0+elc@1.0.0+num=q32.32+rng=pcg32', /rng part/],
    ['echo@0.1.0+elc@1.0.0+num=q32.32+rng=PCG32@1', /rng part/],
    ['echo@0.1.0+elc@1.0.0+num=q32.32+rng=pcg32@01', /rng part/],
    ['ECHO@0.1.0+elc@1.0.0+num=q32.32+rng=pcg32@1', /part 1/],
    ['echo@0.1.0+elc@1.0.0+num=q32.32+rng=pcg32@1 ', /rng part/],
  ])('refuses %j', (text, message) => {
    const r = parseFoldEngine(text);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('VALUE_INVALID');
      expect(r.error.message).toMatch(message);
      expect(r.error.hint).toMatch(/echo@<semver>/);
    }
  });
});

describe('Fold-Math, Fold-RNG, Fold-Version', () => {
  it('accept the forms of the notes and of the EchoLua profile', () => {
    expect(parseFoldMath(FOLD_MATH)).toEqual({ ok: true, value: { num: NUM_MODEL } });
    expect(parseFoldMath('fixed-q32.32@2.1')).toEqual({ ok: true, value: { num: 'q32.32', libVersion: '2.1' } });
    expect(formatFoldMath({ num: 'q32.32', libVersion: '2.1' })).toBe('fixed-q32.32@2.1');
    expect(parseVersionedName(RNG_ID)).toEqual({ ok: true, value: { name: 'pcg32', version: '1' } });
    expect(parseFoldVersion('1')).toEqual({ ok: true, value: '1' });
    expect(parseFoldVersion('2.0.1')).toEqual({ ok: true, value: '2.0.1' });
  });
  it.each(['', 'float', 'fixed-q32', 'fixed-q32.32@', 'fixed-q32.32@v1', 'Fixed-q32.32'])('Fold-Math refuses %j', (t) => {
    expect(parseFoldMath(t).ok).toBe(false);
  });
  it.each(['', 'pcg32', '@1', 'pcg32@', 'pcg32@1.', 'pcg-32@1', 'pcg32@x'])('Fold-RNG refuses %j', (t) => {
    expect(parseVersionedName(t).ok).toBe(false);
  });
  it.each(['', 'v1', '01', '1.2.3.4', '1.', '1.0-beta'])('Fold-Version refuses %j', (t) => {
    expect(parseFoldVersion(t).ok).toBe(false);
  });
});
