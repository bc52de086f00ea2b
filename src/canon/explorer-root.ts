/**
 * Explorer-Root (GATOS draft SPEC 15.1): a BLAKE3 digest that names what an
 * explorer shows, so two explorers can prove they looked at the same thing.
 *
 *   Explorer-Root = blake3( lp(ledger_head) || lp(policy_root) || lp(fold_root) || lp(utf8(version)) )
 *   lp(x)         = 4-byte big-endian length of x, then x
 *
 * ledger_head and policy_root are commit ids (40 or 64 hex digits, SHA-1 or
 * SHA-256 repositories), fold_root is a SHA-256 digest (64 hex digits); all
 * three are written as bare lowercase hex and hashed as the bytes they spell.
 */
import { concatBytes, fromHex, utf8 } from '../core/bytes';
import { err, gateError, ok, type Result } from '../core/result';
import { digest, type Digest } from './digest';

export function explorerRoot(ledgerHead: string, policyRoot: string, foldRoot: string, version: string): Result<Digest> {
  const parts: Uint8Array[] = [];
  for (const [name, hex, lengths] of [
    ['ledger_head', ledgerHead, [20, 32]],
    ['policy_root', policyRoot, [20, 32]],
    ['fold_root', foldRoot, [32]],
  ] as const) {
    const bytes = fromHex(hex);
    if (!bytes || !(lengths as readonly number[]).includes(bytes.length)) {
      const want = lengths.map((n) => n * 2).join(' or ');
      return err(gateError('VALUE_INVALID', `${name} '${clip(hex)}' is not ${want} lowercase hex digits`, {
        hint: `write ${name} as bare lowercase hex${name === 'fold_root' ? ", without the 'sha256:' prefix" : ' (a commit id)'}`,
      }));
    }
    parts.push(bytes);
  }
  if (version.length === 0) {
    return err(gateError('VALUE_INVALID', 'the extractor version is empty', { hint: "name the extractor build, e.g. 'v1.2.3+linux-x86_64'" }));
  }
  parts.push(utf8(version));
  return ok(digest('blake3', concatBytes(parts.flatMap((p) => [be32(p.length), p]))));
}

function be32(n: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, n);
  return out;
}

function clip(s: string): string {
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}
