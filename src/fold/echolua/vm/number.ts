/**
 * EchoLua numbers: exact 64-bit integers (overflow is an error, never a wrap
 * or a float) and Q32.32 fixed point for everything else. An operation on
 * two integers gives an integer (except `/`, which always gives Q32.32, as
 * Lua's `/` always gives a float); any Q32.32 operand makes the result
 * Q32.32. Products round to nearest, ties to even; quotients round toward
 * zero (the profile). Division by zero is an error for every operator.
 */
import { fail, isInt, MAX_SAFE, normInt, Q, typeName, type Value } from './values';
import { S64_MAX, S64_MIN } from '../../../canon/integers';

const FRAC = 32n;
const ONE = 1n << FRAC;
const HALF = 1n << (FRAC - 1n);
/** A Q32.32 value's raw integer is a signed 64-bit one. */
const Q_MAX = S64_MAX;
const Q_MIN = S64_MIN;

type Num = number | bigint | Q;

function arithError(op: string, a: Value, b: Value): never {
  const bad = isNumber(a) ? b : a;
  fail('TYPE_ERROR', `attempt to perform arithmetic (${op}) on a ${typeName(bad)} value`);
}

export function isNumber(v: Value): v is Num {
  return typeof v === 'number' || typeof v === 'bigint' || v instanceof Q;
}

function qOf(raw: bigint): Q {
  if (raw > Q_MAX || raw < Q_MIN) fail('INT_OVERFLOW', 'fixed-point overflow: the result is outside the Q32.32 range (about +-2.1e9)');
  return new Q(raw);
}

/** The Q32.32 raw value of a number, without a range check (intermediate only). */
function rawOf(n: Num): bigint {
  return n instanceof Q ? n.raw : BigInt(n) << FRAC;
}

/** Converts an integer to Q32.32 (a range check applies). */
export function toQ(n: number | bigint): Q {
  return qOf(BigInt(n) << FRAC);
}

// ---------------------------------------------------------------- + - *

export function add(a: Value, b: Value): Value {
  if (typeof a === 'number' && typeof b === 'number') {
    const r = a + b;
    if (r <= MAX_SAFE && r >= -MAX_SAFE) return r;
    return normInt(BigInt(a) + BigInt(b));
  }
  if (!isNumber(a) || !isNumber(b)) arithError('+', a, b);
  if (isInt(a) && isInt(b)) return normInt(BigInt(a) + BigInt(b));
  return qOf(rawOf(a) + rawOf(b));
}

export function sub(a: Value, b: Value): Value {
  if (typeof a === 'number' && typeof b === 'number') {
    const r = a - b;
    if (r <= MAX_SAFE && r >= -MAX_SAFE) return r;
    return normInt(BigInt(a) - BigInt(b));
  }
  if (!isNumber(a) || !isNumber(b)) arithError('-', a, b);
  if (isInt(a) && isInt(b)) return normInt(BigInt(a) - BigInt(b));
  return qOf(rawOf(a) - rawOf(b));
}

export function mul(a: Value, b: Value): Value {
  if (typeof a === 'number' && typeof b === 'number') {
    const r = a * b;
    // Adding 0 turns -0 into 0: integers have no negative zero.
    if (r <= MAX_SAFE && r >= -MAX_SAFE) return r + 0;
    return normInt(BigInt(a) * BigInt(b));
  }
  if (!isNumber(a) || !isNumber(b)) arithError('*', a, b);
  if (isInt(a) && isInt(b)) return normInt(BigInt(a) * BigInt(b));
  if (isInt(a)) return qOf(BigInt(a) * (b as Q).raw);
  if (isInt(b)) return qOf((a as Q).raw * BigInt(b));
  return qOf(roundShift((a as Q).raw * (b as Q).raw));
}

/** p / 2^32 rounded to nearest, ties to even. */
function roundShift(p: bigint): bigint {
  const q = p >> FRAC; // floor
  const rem = p - (q << FRAC); // 0 <= rem < 2^32
  if (rem > HALF || (rem === HALF && (q & 1n) === 1n)) return q + 1n;
  return q;
}

export function neg(a: Value): Value {
  if (typeof a === 'number') return 0 - a;
  if (typeof a === 'bigint') return normInt(-a);
  if (a instanceof Q) return qOf(-a.raw);
  fail('TYPE_ERROR', `attempt to perform arithmetic (unary -) on a ${typeName(a)} value`);
}

// ---------------------------------------------------------------- / // %

function divByZero(op: string): never {
  fail('DIV_BY_ZERO', `attempt to perform 'n${op}0' (division by zero)`);
}

/** `/`: always Q32.32, truncated toward zero. */
export function div(a: Value, b: Value): Value {
  if (!isNumber(a) || !isNumber(b)) arithError('/', a, b);
  const B = rawOf(b);
  if (B === 0n) divByZero('/');
  return qOf((rawOf(a) << FRAC) / B);
}

function floorDivBig(a: bigint, b: bigint): bigint {
  const q = a / b;
  return (a % b !== 0n && (a < 0n) !== (b < 0n)) ? q - 1n : q;
}

const FAST_DIV = 2 ** 52;

/** `//`: floor division (Lua 5.4). On integers minint // -1 is an overflow error, not a wrap. */
export function idiv(a: Value, b: Value): Value {
  if (typeof a === 'number' && typeof b === 'number' && a < FAST_DIV && a > -FAST_DIV && b < FAST_DIV && b > -FAST_DIV) {
    if (b === 0) divByZero('//');
    let m = a % b;
    if (m !== 0 && (m < 0) !== (b < 0)) m += b;
    return (a - m) / b + 0;
  }
  if (!isNumber(a) || !isNumber(b)) arithError('//', a, b);
  if (isInt(a) && isInt(b)) {
    const B = BigInt(b);
    if (B === 0n) divByZero('//');
    return normInt(floorDivBig(BigInt(a), B));
  }
  const B = rawOf(b);
  if (B === 0n) divByZero('//');
  return qOf(floorDivBig(rawOf(a), B) << FRAC);
}

/** `%`: a - floor(a/b)*b, the sign of the divisor (Lua 5.4). */
export function mod(a: Value, b: Value): Value {
  if (typeof a === 'number' && typeof b === 'number' && a < FAST_DIV && a > -FAST_DIV && b < FAST_DIV && b > -FAST_DIV) {
    if (b === 0) divByZero('%');
    let m = a % b;
    if (m !== 0 && (m < 0) !== (b < 0)) m += b;
    return m + 0;
  }
  if (!isNumber(a) || !isNumber(b)) arithError('%', a, b);
  if (isInt(a) && isInt(b)) {
    const B = BigInt(b);
    if (B === 0n) divByZero('%');
    const A = BigInt(a);
    let m = A % B;
    if (m !== 0n && (m < 0n) !== (B < 0n)) m += B;
    return normInt(m);
  }
  const A = rawOf(a);
  const B = rawOf(b);
  if (B === 0n) divByZero('%');
  let m = A % B;
  if (m !== 0n && (m < 0n) !== (B < 0n)) m += B;
  return qOf(m);
}

// ---------------------------------------------------------------- bitwise

function bitsOf(v: Value, op: string): bigint {
  if (typeof v === 'number' || typeof v === 'bigint') return BigInt(v);
  if (v instanceof Q) {
    if ((v.raw & (ONE - 1n)) === 0n) return v.raw >> FRAC;
    fail('TYPE_ERROR', `number has no integer representation (bitwise ${op})`);
  }
  fail('TYPE_ERROR', `attempt to perform bitwise operation (${op}) on a ${typeName(v)} value`);
}

/** Bitwise results are defined modulo 2^64, as in Lua: they cannot overflow. */
function wrap(b: bigint): number | bigint {
  return normInt(BigInt.asIntN(64, b));
}

const I32_MIN = -(2 ** 31);
const I32_MAX = 2 ** 31 - 1;

export function band(a: Value, b: Value): Value {
  if (typeof a === 'number' && typeof b === 'number' && a >= I32_MIN && a <= I32_MAX && b >= I32_MIN && b <= I32_MAX) return a & b;
  return wrap(bitsOf(a, '&') & bitsOf(b, '&'));
}
export function bor(a: Value, b: Value): Value {
  if (typeof a === 'number' && typeof b === 'number' && a >= I32_MIN && a <= I32_MAX && b >= I32_MIN && b <= I32_MAX) return a | b;
  return wrap(bitsOf(a, '|') | bitsOf(b, '|'));
}
export function bxor(a: Value, b: Value): Value {
  if (typeof a === 'number' && typeof b === 'number' && a >= I32_MIN && a <= I32_MAX && b >= I32_MIN && b <= I32_MAX) return a ^ b;
  return wrap(bitsOf(a, '~') ^ bitsOf(b, '~'));
}
export function bnot(a: Value): Value {
  return wrap(~bitsOf(a, '~'));
}
/** Logical shifts on 64 bits; a negative count shifts the other way; 64 or more gives 0 (Lua 5.4). */
export function shl(a: Value, b: Value): Value {
  return shiftLeft(bitsOf(a, '<<'), bitsOf(b, '<<'));
}
export function shr(a: Value, b: Value): Value {
  return shiftLeft(bitsOf(a, '>>'), -bitsOf(b, '>>'));
}
function shiftLeft(x: bigint, n: bigint): number | bigint {
  if (n <= -64n || n >= 64n) return 0;
  const u = BigInt.asUintN(64, x);
  return wrap(n >= 0n ? u << n : u >> -n);
}

// ---------------------------------------------------------------- comparison

export function numEq(a: Num, b: Num): boolean {
  if (a instanceof Q || b instanceof Q) return rawOf(a) === rawOf(b);
  return a === b;
}

/** Lua ==: numbers by value across subtypes, everything else by identity. */
export function eq(a: Value, b: Value): boolean {
  if (a === b) return true;
  if (a instanceof Q || b instanceof Q) return isNumber(a) && isNumber(b) && numEq(a, b);
  return false;
}

function compareError(a: Value, b: Value): never {
  const ta = typeName(a);
  const tb = typeName(b);
  fail('TYPE_ERROR', ta === tb ? `attempt to compare two ${ta} values` : `attempt to compare ${ta} with ${tb}`);
}

export function lt(a: Value, b: Value): boolean {
  const ta = typeof a;
  if (ta === typeof b && (ta === 'number' || ta === 'string')) return (a as number) < (b as number);
  if (isInt(a) && isInt(b)) return a < b;
  if (isNumber(a) && isNumber(b)) return rawOf(a) < rawOf(b);
  compareError(a, b);
}

export function le(a: Value, b: Value): boolean {
  const ta = typeof a;
  if (ta === typeof b && (ta === 'number' || ta === 'string')) return (a as number) <= (b as number);
  if (isInt(a) && isInt(b)) return a <= b;
  if (isNumber(a) && isNumber(b)) return rawOf(a) <= rawOf(b);
  compareError(a, b);
}

/** Total order on numbers for sorting keys: -1, 0, 1. */
export function numCompare(a: Num, b: Num): number {
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0;
  const x = isInt(a) && isInt(b) ? BigInt(a) : rawOf(a);
  const y = isInt(a) && isInt(b) ? BigInt(b) : rawOf(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

// ---------------------------------------------------------------- conversions

/** math.floor: an integer. */
export function floor(a: Num): number | bigint {
  if (a instanceof Q) return normInt(a.raw >> FRAC);
  return a;
}

/** math.ceil: an integer. */
export function ceil(a: Num): number | bigint {
  if (a instanceof Q) return normInt(-((-a.raw) >> FRAC));
  return a;
}

/** The integer a Q32.32 value equals exactly, if any. */
export function qToInt(q: Q): number | bigint | undefined {
  return (q.raw & (ONE - 1n)) === 0n ? normInt(q.raw >> FRAC) : undefined;
}

const TEN = 10n;

/**
 * The text of a number. Integers: decimal digits. Q32.32: the shortest
 * decimal that reads back (ties to even) to the same raw value, with ".0"
 * when integral, as Lua writes floats with integral values.
 */
export function numberToString(n: Num): string {
  if (typeof n === 'number') return String(n);
  if (typeof n === 'bigint') return n.toString();
  const raw = n.raw;
  const neg = raw < 0n;
  const mag = neg ? -raw : raw;
  const intPart = mag >> FRAC;
  const frac = mag & (ONE - 1n);
  let text: string;
  if (frac === 0n) {
    text = `${intPart.toString()}.0`;
  } else {
    text = '';
    for (let digits = 1n; digits <= 32n; digits++) {
      const scale = TEN ** digits;
      const d = roundDiv(frac * scale, ONE);
      if (roundDiv(d * ONE, scale) === frac) {
        // A d that rounded up to 10^digits cannot pass the check above (it would read back as 2^32).
        const fracText = d.toString().padStart(Number(digits), '0').replace(/0+$/, '');
        text = `${intPart.toString()}.${fracText === '' ? '0' : fracText}`;
        break;
      }
    }
  }
  return neg ? `-${text}` : text;
}

/** round(n / d) to nearest, ties to even, for n >= 0, d > 0. */
function roundDiv(n: bigint, d: bigint): bigint {
  const q = n / d;
  const r = n - q * d;
  const twice = 2n * r;
  if (twice > d || (twice === d && (q & 1n) === 1n)) return q + 1n;
  return q;
}

const DECIMAL = /^(-?)([0-9]+)(?:\.([0-9]+))?$/;

/**
 * Reads a decimal number: digits give an integer, digits with a fraction a
 * Q32.32 value rounded to nearest, ties to even. Returns undefined for
 * anything else (exponents, hex floats, inf, nan) and for values out of range.
 */
export function parseDecimal(text: string): number | bigint | Q | undefined {
  const m = DECIMAL.exec(text);
  if (!m) return undefined;
  const sign = m[1] === '-' ? -1n : 1n;
  const whole = BigInt(m[2] as string);
  if (m[3] === undefined) {
    const v = sign * whole;
    if (v > S64_MAX || v < S64_MIN) return undefined;
    return normIntSafe(v);
  }
  const digits = m[3];
  const scale = TEN ** BigInt(digits.length);
  const num = whole * scale + BigInt(digits);
  const raw = sign * roundDiv(num * ONE, scale);
  if (raw > Q_MAX || raw < Q_MIN) return undefined;
  return new Q(raw);
}

function normIntSafe(v: bigint): number | bigint {
  return v >= -9007199254740991n && v <= 9007199254740991n ? Number(v) : v;
}

/** Whether a Q32.32 value read from `digits` after the point is exact (no rounding). */
export function fractionIsExact(fracDigits: string): boolean {
  const scale = TEN ** BigInt(fracDigits.length);
  return (BigInt(fracDigits) * ONE) % scale === 0n;
}

/** A Q32.32 value as a double, when the double holds it exactly (JSON output needs that). */
export function qToExactDouble(q: Q): number | undefined {
  const n = Number(q.raw);
  return BigInt(n) === q.raw ? n / 2 ** 32 : undefined;
}

const LUA_DECIMAL = /^([+-]?)([0-9]*)(?:\.([0-9]*))?(?:[eE]([+-]?[0-9]+))?$/;

/**
 * A decimal numeral as Lua 5.4's tonumber and string coercion read it:
 * `5`, `.5`, `5.`, `1e2`, `2.5E-3`, with an optional sign. A numeral with no
 * point and no exponent is an integer; any other is a float in Lua and
 * Q32.32 here (rounded to nearest, ties to even). Returns undefined where
 * Lua returns nil, and 'range' where Lua would give a float that neither
 * subtype holds (a decimal integer past 64 bits, a fraction past +-2^31):
 * the caller raises, since no EchoLua value matches what Lua computes.
 */
export function parseLuaNumeral(text: string): number | bigint | Q | 'range' | undefined {
  const m = LUA_DECIMAL.exec(text);
  if (!m) return undefined;
  const whole = m[2] as string;
  const frac = m[3];
  if (whole === '' && (frac === undefined || frac === '')) return undefined;
  const sign = m[1] === '-' ? -1n : 1n;
  if (frac === undefined && m[4] === undefined) {
    const v = sign * BigInt(whole);
    return v > S64_MAX || v < S64_MIN ? 'range' : normIntSafe(v);
  }
  const digits = frac ?? '';
  const exp = m[4] === undefined ? 0 : Number(m[4]);
  // value = (whole.digits) * 10^exp = num / 10^digits.length * 10^exp
  let num = BigInt(`${whole}${digits}` || '0');
  let scale = TEN ** BigInt(digits.length);
  if (num === 0n) return new Q(0n);
  if (exp > 40) return 'range';
  if (exp < -400) return new Q(0n);
  if (exp >= 0) num *= TEN ** BigInt(exp);
  else scale *= TEN ** BigInt(-exp);
  const raw = sign * roundDiv(num * ONE, scale);
  if (raw > Q_MAX || raw < Q_MIN) return 'range';
  return new Q(raw);
}
