/**
 * A strict RFC 8259 JSON parser for inputs that will be canonicalized or
 * signed. JSON.parse is too forgiving for that: it keeps the last of two
 * duplicate keys, accepts lone surrogates and rounds large integers silently.
 * Here each of those is an error with a line and column.
 *
 * Integers written without a fraction or exponent that a double cannot hold
 * exactly (|n| > 2^53) become bigint, so no digit is lost between parsing and
 * canonical output.
 */
import { locate } from '../core/diagnostic';
import { err, gateError, ok, type Result } from '../core/result';
import type { JsonValue } from './json-value';
import { inRange, JSON_INT_RANGE } from './integers';

/** Deeper nesting is refused rather than risking the call stack. */
export const MAX_JSON_DEPTH = 512;

const NUMBER = /-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/y;
// Control characters are exactly what a raw JSON string may not contain.
// eslint-disable-next-line no-control-regex
const PLAIN_RUN = /[^"\\\u0000-\u001f]*/y;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const SHORT_ESCAPES: Readonly<Record<string, string>> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

/** Thrown inside the parser only; parseJsonStrict turns it into an error value. */
class JsonSyntaxError {
  constructor(readonly offset: number, readonly message: string, readonly hint: string, readonly length = 1) {}
}

/** Parses `text` as exactly one JSON value; `file` names it in error locations. */
export function parseJsonStrict(text: string, file = '<input>'): Result<JsonValue> {
  try {
    return ok(new Parser(text).parseDocument());
  } catch (e) {
    if (!(e instanceof JsonSyntaxError)) throw e;
    const { line, column } = locate(text, e.offset);
    return err(gateError('ENCODING_INVALID', `${file}:${line}:${column}: ${e.message}`, {
      hint: e.hint,
      location: { file, line, column, length: e.length },
    }));
  }
}

class Parser {
  private pos = 0;

  constructor(private readonly text: string) {}

  parseDocument(): JsonValue {
    if (this.text.charCodeAt(0) === 0xfeff) {
      this.fail('a byte-order mark (U+FEFF) precedes the JSON value', 'save the file as UTF-8 without a BOM');
    }
    this.skipWhitespace();
    const value = this.parseValue(0);
    this.skipWhitespace();
    if (this.pos < this.text.length) {
      this.fail(`expected the end of input after the JSON value, found ${this.found()}`, 'a JSON document holds exactly one value; remove what follows it or wrap both in an array');
    }
    return value;
  }

  private parseValue(depth: number): JsonValue {
    const c = this.text[this.pos];
    switch (c) {
      case '{':
        return this.parseObject(depth + 1);
      case '[':
        return this.parseArray(depth + 1);
      case '"':
        return this.parseString();
      case 't':
        return this.parseLiteral('true', true);
      case 'f':
        return this.parseLiteral('false', false);
      case 'n':
        return this.parseLiteral('null', null);
      default:
        if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return this.parseNumber();
        return this.fail(`expected a JSON value, found ${this.found()}`, 'a value is an object, array, string, number, true, false or null');
    }
  }

  private parseObject(depth: number): JsonValue {
    this.checkDepth(depth);
    this.pos++; // '{'
    const entries: [string, JsonValue][] = [];
    const seen = new Map<string, number>();
    this.skipWhitespace();
    if (this.text[this.pos] === '}') {
      this.pos++;
      return {};
    }
    while (true) {
      this.skipWhitespace();
      const keyAt = this.pos;
      if (this.text[this.pos] !== '"') {
        this.fail(`expected a string key, found ${this.found()}`, 'object keys are written in double quotes; a trailing comma is not allowed');
      }
      const key = this.parseString();
      const first = seen.get(key);
      if (first !== undefined) {
        const at = locate(this.text, first);
        this.failAt(keyAt, `duplicate key ${JSON.stringify(key)} (first at line ${at.line}, column ${at.column})`, 'each key may appear once in an object; remove or rename one of them', this.pos - keyAt);
      }
      seen.set(key, keyAt);
      this.skipWhitespace();
      if (this.text[this.pos] !== ':') this.fail(`expected ':' after the key ${JSON.stringify(key)}, found ${this.found()}`, 'write a colon between a key and its value');
      this.pos++;
      this.skipWhitespace();
      entries.push([key, this.parseValue(depth)]);
      this.skipWhitespace();
      const c = this.text[this.pos];
      if (c === ',') {
        this.pos++;
        continue;
      }
      if (c === '}') {
        this.pos++;
        // fromEntries defines own properties, so a key "__proto__" stays data.
        return Object.fromEntries(entries);
      }
      this.fail(`expected ',' or '}' after an object member, found ${this.found()}`, 'separate members with commas and close the object with }');
    }
  }

  private parseArray(depth: number): JsonValue {
    this.checkDepth(depth);
    this.pos++; // '['
    const items: JsonValue[] = [];
    this.skipWhitespace();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return items;
    }
    while (true) {
      this.skipWhitespace();
      if (this.text[this.pos] === ']') this.fail(`expected a JSON value, found ']'`, 'a trailing comma is not allowed in JSON');
      items.push(this.parseValue(depth));
      this.skipWhitespace();
      const c = this.text[this.pos];
      if (c === ',') {
        this.pos++;
        continue;
      }
      if (c === ']') {
        this.pos++;
        return items;
      }
      this.fail(`expected ',' or ']' after an array element, found ${this.found()}`, 'separate elements with commas and close the array with ]');
    }
  }

  private parseString(): string {
    const start = this.pos;
    this.pos++; // opening quote
    let out = '';
    while (true) {
      PLAIN_RUN.lastIndex = this.pos;
      PLAIN_RUN.exec(this.text);
      out += this.text.slice(this.pos, PLAIN_RUN.lastIndex);
      this.pos = PLAIN_RUN.lastIndex;
      const c = this.text[this.pos];
      if (c === '"') {
        this.pos++;
        break;
      }
      if (c === undefined) this.failAt(start, 'a string is not closed before the end of input', 'close the string with a double quote');
      if (c === '\\') {
        out += this.parseEscape();
        continue;
      }
      const code = this.text.charCodeAt(this.pos);
      this.fail(`a control character (U+${hex4(code)}) appears unescaped in a string`, `write it as \\u${hex4(code).toLowerCase()}${code === 10 ? ' or \\n' : ''}`);
    }
    const lone = LONE_SURROGATE.exec(out);
    if (lone) {
      this.failAt(start, `a string contains a lone surrogate (U+${hex4(lone[0].charCodeAt(0))}), which is not Unicode text`, 'a \\ud800-\\udbff escape must be followed by a \\udc00-\\udfff escape', this.pos - start);
    }
    return out;
  }

  private parseEscape(): string {
    const at = this.pos;
    const c = this.text[this.pos + 1];
    if (c !== undefined && c in SHORT_ESCAPES) {
      this.pos += 2;
      return SHORT_ESCAPES[c] as string;
    }
    if (c === 'u') {
      const digits = this.text.slice(this.pos + 2, this.pos + 6);
      if (/^[0-9a-fA-F]{4}$/.test(digits)) {
        this.pos += 6;
        return String.fromCharCode(parseInt(digits, 16));
      }
      this.failAt(at, `expected four hex digits after \\u, found ${JSON.stringify(digits)}`, 'write a code unit as \\u followed by exactly four hex digits', 2 + digits.length);
    }
    return this.failAt(at, `unknown escape \\${c ?? ''}`, 'JSON knows \\" \\\\ \\/ \\b \\f \\n \\r \\t and \\uXXXX', 2);
  }

  private parseNumber(): JsonValue {
    const start = this.pos;
    NUMBER.lastIndex = start;
    const m = NUMBER.exec(this.text);
    if (!m) {
      return this.fail(`expected a digit after '-', found ${this.found(start + 1)}`, 'JSON numbers are written like -12, 0.5 or 1e-9', 1);
    }
    const literal = m[0];
    this.pos = NUMBER.lastIndex;
    const next = this.text[this.pos];
    if (next !== undefined && /[0-9.eE+-]/.test(next)) {
      this.failAt(start, `malformed number ${JSON.stringify(literal + next)}`, 'JSON numbers have no leading zeros, need digits after a point and after an exponent', literal.length + 1);
    }
    const isInteger = m[1] === undefined && m[2] === undefined;
    if (isInteger && literal.replace('-', '').length > 15) {
      const big = BigInt(literal);
      if (!inRange(big, JSON_INT_RANGE)) this.failAt(start, `the integer ${literal} is outside ${JSON_INT_RANGE.name}`, 'write it as a decimal string', literal.length);
      if (big > BigInt(Number.MAX_SAFE_INTEGER) || big < -BigInt(Number.MAX_SAFE_INTEGER)) return big;
    }
    const n = Number(literal);
    if (!Number.isFinite(n)) {
      this.failAt(start, `the number ${literal} is too large for an IEEE-754 double`, 'write it as a string, or as an integer without an exponent to keep it exact', literal.length);
    }
    return n;
  }

  private parseLiteral<T extends JsonValue>(word: string, value: T): T {
    if (this.text.startsWith(word, this.pos)) {
      this.pos += word.length;
      return value;
    }
    return this.fail(`expected a JSON value, found ${this.found()}`, 'literals are written in lowercase: true, false, null');
  }

  private skipWhitespace(): void {
    while (true) {
      const c = this.text.charCodeAt(this.pos);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) this.pos++;
      else return;
    }
  }

  private checkDepth(depth: number): void {
    if (depth > MAX_JSON_DEPTH) {
      this.fail(`values are nested more than ${MAX_JSON_DEPTH} levels deep`, 'flatten the structure; such depth is refused to keep parsing safe');
    }
  }

  private found(at = this.pos): string {
    const cp = this.text.codePointAt(at);
    if (cp === undefined) return 'the end of input';
    return JSON.stringify(String.fromCodePoint(cp));
  }

  private fail(message: string, hint: string, length = 1): never {
    throw new JsonSyntaxError(this.pos, message, hint, length);
  }

  private failAt(offset: number, message: string, hint: string, length = 1): never {
    throw new JsonSyntaxError(offset, message, hint, length);
  }
}

function hex4(code: number): string {
  return code.toString(16).toUpperCase().padStart(4, '0');
}
