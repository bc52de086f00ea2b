/**
 * ed25519 vectors (../shared/vectors/ed25519): every Wycheproof EdDSA case
 * must get its expected verdict from our verifier (node:crypto), and the
 * RFC 8032 test vectors must sign to the published signature and verify.
 * Wycheproof's `acceptable` verdict does not occur in this file; if a later
 * file has one, the test fails so that someone decides (we would treat it as
 * invalid: a signature is either strictly valid or refused).
 */
import { fromHexLoose, toHex } from '../../src/core/bytes';
import { publicKeyFromSeed, sign, verify } from '../../src/canon/ed25519';
import { describeWithVectors, readVectorJson, reportCount } from '../helpers/vectors';

interface WycheproofFile {
  readonly numberOfTests: number;
  readonly testGroups: readonly {
    readonly publicKey: { readonly pk: string };
    readonly tests: readonly { readonly tcId: number; readonly comment: string; readonly msg: string; readonly sig: string; readonly result: string; readonly flags: readonly string[] }[];
  }[];
}

interface Rfc8032Vector {
  readonly priv: string;
  readonly pub: string;
  readonly msg: string;
  readonly sig: string;
}

describeWithVectors('ed25519 vectors', () => {
  it('gives every Wycheproof case its expected verdict', () => {
    const file = readVectorJson<WycheproofFile>('ed25519', 'wycheproof_ed25519_test.json');
    const counts = { valid: 0, invalid: 0, acceptable: 0 };
    let agreed = 0;
    const failures: string[] = [];
    for (const group of file.testGroups) {
      const pk = fromHexLoose(group.publicKey.pk);
      for (const t of group.tests) {
        if (t.result !== 'valid' && t.result !== 'invalid') {
          failures.push(`tc ${t.tcId}: verdict '${t.result}' needs a decision`);
          if (t.result === 'acceptable') counts.acceptable++;
          continue;
        }
        counts[t.result]++;
        const got = verify(pk, fromHexLoose(t.msg), fromHexLoose(t.sig));
        if (got === (t.result === 'valid')) agreed++;
        else failures.push(`tc ${t.tcId} (${t.flags.join(',')}; ${t.comment}): expected ${t.result}, verify gave ${got}`);
      }
    }
    const total = counts.valid + counts.invalid + counts.acceptable;
    reportCount(`wycheproof ed25519 verdicts (${counts.valid} valid, ${counts.invalid} invalid, ${counts.acceptable} acceptable)`, agreed, total);
    expect(failures).toEqual([]);
    expect(total).toBe(file.numberOfTests);
  });

  it('signs the RFC 8032 vectors to the published signatures, which verify', () => {
    const vectors = readVectorJson<Rfc8032Vector[]>('ed25519', 'noble_rfc8032-ed25519.json');
    let passed = 0;
    for (const v of vectors) {
      const seed = fromHexLoose(v.priv);
      const msg = fromHexLoose(v.msg);
      const pub = fromHexLoose(v.pub);
      expect(toHex(publicKeyFromSeed(seed))).toBe(v.pub.toLowerCase());
      expect(toHex(sign(seed, msg))).toBe(v.sig.toLowerCase());
      expect(verify(pub, msg, fromHexLoose(v.sig))).toBe(true);
      passed++;
    }
    reportCount('rfc8032 ed25519 vectors (sign + verify)', passed, vectors.length);
    expect(vectors.length).toBe(4);
  });
});
