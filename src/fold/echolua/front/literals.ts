/**
 * Numeric literals. EchoLua accepts one spelling per kind of number so that
 * what a reader sees is what the VM computes:
 *
 *   integer   0 | [1-9][0-9]*            at most 2^63-1
 *   hex       0x[0-9a-f]+                at most 0x7fffffffffffffff (no wrap)
 *   fixed     (0|[1-9][0-9]*).[0-9]+     the fraction ends in a non-zero digit
 *                                         unless it is a single 0 ("2.0");
 *                                         read as Q32.32, ties to even
 *
 * Refused: exponents (1e3), hex floats (0x1p4), leading zeros (007), a dot
 * without digits on one side (1. and .5), uppercase 0X or hex digits,
 * trailing zeros (1.50) and anything out of range. A fraction that Q32.32
 * cannot hold exactly (0.1) is accepted with a warning: it is rounded.
 */
import { fractionIsExact, parseDecimal } from '../vm/number';
import { Q } from '../vm/values';
import { S64_MAX } from '../../../canon/integers';

export type LiteralCheck =
  | { readonly ok: true; readonly value: number | bigint | Q; readonly inexact: boolean }
  | { readonly ok: false; readonly message: string; readonly hint: string };

const INT = /^(0|[1-9][0-9]*)$/;
const HEX = /^0x[0-9a-f]+$/;
const FIXED = /^(0|[1-9][0-9]*)\.([0-9]+)$/;

function bad(message: string, hint: string): LiteralCheck {
  return { ok: false, message, hint };
}

export function checkNumericLiteral(raw: string): LiteralCheck {
  if (INT.test(raw)) {
    const v = BigInt(raw);
    if (v > S64_MAX) return bad(`the integer literal ${raw} is outside the 64-bit range`, 'integers are exact 64-bit values; use math.mininteger or math.maxinteger for the extremes');
    return { ok: true, value: small(v), inexact: false };
  }
  if (HEX.test(raw)) {
    const v = BigInt(raw);
    if (v > S64_MAX) return bad(`the hex literal ${raw} is above 0x7fffffffffffffff`, 'EchoLua does not wrap hex literals to negative numbers; write the negative value in decimal');
    return { ok: true, value: small(v), inexact: false };
  }
  const m = FIXED.exec(raw);
  if (m) {
    const frac = m[2] as string;
    if (frac.length > 1 && frac.endsWith('0')) {
      return bad(`the literal ${raw} has trailing zeros`, `write ${raw.replace(/0+$/, '')} instead (one spelling per value)`);
    }
    const value = parseDecimal(raw);
    if (value === undefined) return bad(`the literal ${raw} is outside the Q32.32 range (about +-2147483648)`, 'fixed-point numbers hold about +-2.1e9; use integers (e.g. cents) for larger amounts');
    return { ok: true, value, inexact: !fractionIsExact(frac) };
  }
  if (/[eE]/.test(raw) && !/^0[xX]/.test(raw)) return bad(`the literal ${raw} uses an exponent`, 'write the number out in full; exponents suggest floating point, which EchoLua does not have');
  if (/^0[xX]/.test(raw)) {
    if (/[.pP]/.test(raw)) return bad(`the hex float ${raw} is not allowed`, 'EchoLua has no floating point; write an integer or a decimal fixed-point literal');
    return bad(`the hex literal ${raw} is not in canonical form`, 'write hex literals as 0x followed by lowercase digits');
  }
  if (/^\./.test(raw)) return bad(`the literal ${raw} has no digit before the point`, `write 0${raw}`);
  if (/\.$/.test(raw)) return bad(`the literal ${raw} has no digit after the point`, `write ${raw}0 for a fixed-point value or ${raw.slice(0, -1)} for an integer`);
  if (/^0[0-9]/.test(raw)) return bad(`the literal ${raw} has a leading zero`, 'remove the leading zeros');
  return bad(`the numeric literal ${raw} is not in canonical form`, 'write integers as plain decimal digits and fixed-point values as digits.digits');
}

function small(v: bigint): number | bigint {
  return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}
