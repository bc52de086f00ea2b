import fc from 'fast-check';
import { decodeUtf8 } from '../../src/core/bytes';
import { canonicalJson, canonicalJsonText, checkCanonicalJson, parseJsonStrict, rfc8785Text, type JsonValue } from '../../src/canon/jcs';
import { MAX_JSON_DEPTH } from '../../src/canon/json-strict';

function text(value: unknown): string {
  const r = canonicalJsonText(value as JsonValue);
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

function refusal(value: unknown): string {
  const r = canonicalJsonText(value as JsonValue);
  if (r.ok) throw new Error(`expected a refusal, got ${r.value}`);
  expect(r.error.code).toBe('ENCODING_INVALID');
  expect(r.error.hint).toBeTruthy();
  return r.error.message;
}

function parsed(source: string): JsonValue {
  const r = parseJsonStrict(source);
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

function parseError(source: string, file?: string) {
  const r = parseJsonStrict(source, file);
  if (r.ok) throw new Error(`expected a parse error for ${JSON.stringify(source)}`);
  expect(r.error.code).toBe('ENCODING_INVALID');
  expect(r.error.location).toBeDefined();
  expect(r.error.hint).toBeTruthy();
  return r.error;
}

describe('canonicalJson: RFC 8785 form', () => {
  it('sorts keys by UTF-16 code units, not by code points or locale', () => {
    // U+1F602 is the pair D83D DE02, which sorts before U+FF21 in UTF-16 although its code point is larger.
    expect(text({ '\uff21': 1, '\u{1F602}': 2, a: 3, B: 4, '10': 5, '1': 6 })).toBe('{"1":6,"10":5,"B":4,"a":3,"\u{1F602}":2,"\uff21":1}');
  });

  it('writes numbers in ECMAScript form; -0 becomes 0', () => {
    expect(text([-0, 0, 1, -1.5, 1e21, 1e-7, 123456789012345680000, 0.1 + 0.2])).toBe('[0,0,1,-1.5,1e+21,1e-7,123456789012345680000,0.30000000000000004]');
  });

  it('refuses NaN and the infinities, naming where they are', () => {
    expect(refusal({ a: [1, NaN] })).toMatch(/NaN.*\$\.a\[1\]/);
    expect(refusal({ x: Infinity })).toMatch(/Infinity.*\$\.x/);
    expect(refusal(-Infinity)).toMatch(/-Infinity.* at \$$/);
  });

  it('writes bigint as exact digits, beyond the 2^53 a double holds', () => {
    expect(text({ n: 12345678901234567890123n, m: -9007199254740993n, s: 5n })).toBe('{"m":-9007199254740993,"n":12345678901234567890123,"s":5}');
  });

  it('escapes only what JSON requires, with lowercase \\u00xx for other controls', () => {
    expect(text('"\\\b\f\n\r\t\u0000\u001f\u007f\u2028/é')).toBe('"\\"\\\\\\b\\f\\n\\r\\t\\u0000\\u001f\u007f\u2028/é"');
  });

  it('gives UTF-8 bytes', () => {
    const r = canonicalJson({ 'é': 'ü' });
    expect(r.ok && Array.from(r.value)).toEqual([0x7b, 0x22, 0xc3, 0xa9, 0x22, 0x3a, 0x22, 0xc3, 0xbc, 0x22, 0x7d]);
  });

  it('rejects a string value that is not NFC, with its path, and never normalizes it', () => {
    const msg = refusal({ payload: { name: 'A\u030a', ok: '\u00c5' } });
    expect(msg).toContain('$.payload.name');
    expect(msg).toMatch(/not in Unicode NFC/);
  });

  it('rejects a key that is not NFC, naming the key in the path', () => {
    const msg = refusal({ items: [{ 'e\u0301': 1 }] });
    expect(msg).toContain('$.items[0]["e\u0301"]');
    expect(msg).toMatch(/key/);
  });

  it('rfc8785Text is the same form without the NFC rule, for interop checks only', () => {
    const r = rfc8785Text({ b: 'A\u030a', a: -0 });
    expect(r.ok && r.value).toBe('{"a":0,"b":"A\u030a"}');
    expect(rfc8785Text({ s: '\ud800' }).ok).toBe(false);
  });

  it('rejects lone surrogates in values and keys', () => {
    expect(refusal({ s: 'a\ud800b' })).toMatch(/lone surrogate \(U\+D800\).*\$\.s/);
    expect(refusal({ ['\udc00']: 1 })).toMatch(/lone surrogate/);
  });

  it('refuses what is not JSON, naming the path', () => {
    expect(refusal({ when: new Date(0) })).toMatch(/Date.*\$\.when/);
    expect(refusal({ m: new Map() })).toMatch(/Map/);
    expect(refusal({ u: undefined })).toMatch(/undefined.*\$\.u/);
    expect(refusal([() => 1])).toMatch(/function.*\$\[0\]/);
    expect(refusal({ b: new Uint8Array(1) })).toMatch(/Uint8Array/);
  });

  it('refuses cyclic values instead of overflowing the stack', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(refusal(cyclic)).toMatch(/nested more than/);
  });

  it('accepts objects without a prototype and keeps a "__proto__" key as data', () => {
    const bare = Object.create(null) as Record<string, JsonValue>;
    bare.b = 1;
    bare.a = 2;
    expect(text(bare)).toBe('{"a":2,"b":1}');
    expect(text(parsed('{"__proto__": {"x": 1}, "a": 0}'))).toBe('{"__proto__":{"x":1},"a":0}');
  });
});

describe('parseJsonStrict', () => {
  it('parses every kind of value', () => {
    expect(parsed(' {"a":[1,-2.5e3,true,false,null,"x\\u00e9\\n"],"b":{}} ')).toEqual({ a: [1, -2500, true, false, null, 'xé\n'], b: {} });
  });

  it('keeps integers beyond 2^53 exact as bigint and the rest as numbers', () => {
    expect(parsed('[9007199254740991, 9007199254740993, -123456789012345678901, 1.0, 1e30, -0]')).toEqual([
      9007199254740991, 9007199254740993n, -123456789012345678901n, 1, 1e30, -0,
    ]);
    expect(text(parsed('[9007199254740993, -0, 1E30, 4.50]'))).toBe('[9007199254740993,0,1e+30,4.5]');
  });

  it('refuses duplicate keys with the location of the second and of the first', () => {
    const e = parseError('{\n  "a": 1,\n  "a": 2\n}', 'event.json');
    expect(e.location).toMatchObject({ file: 'event.json', line: 3, column: 3 });
    expect(e.message).toBe('event.json:3:3: duplicate key "a" (first at line 2, column 3)');
  });

  it('detects duplicates after unescaping', () => {
    expect(parseError('{"a":1,"\\u0061":2}').message).toMatch(/duplicate key "a"/);
  });

  it('refuses lone surrogates written as escapes', () => {
    const e = parseError('["ok", "x\\ud83d"]');
    expect(e.message).toMatch(/lone surrogate \(U\+D83D\)/);
    expect(e.location).toMatchObject({ line: 1, column: 8 });
    expect(parseError('"\\ude02\\ud83d"').message).toMatch(/lone surrogate/);
    expect(parsed('"\\ud83d\\ude02"')).toBe('\u{1F602}');
  });

  it('refuses data after the value', () => {
    const e = parseError('{"a":1}\n{"b":2}');
    expect(e.message).toMatch(/expected the end of input after the JSON value, found "\{"/);
    expect(e.location).toMatchObject({ line: 2, column: 1 });
  });

  it.each([
    ['', /expected a JSON value, found the end of input/],
    ['[1,]', /trailing comma|found '\]'/],
    ['{"a":1,}', /expected a string key/],
    ['{a:1}', /expected a string key/],
    ["['x']", /expected a JSON value/],
    ['01', /malformed number "01"/],
    ['1.', /malformed number/],
    ['.5', /expected a JSON value/],
    ['-', /expected a digit after '-'/],
    ['+1', /expected a JSON value/],
    ['1e400', /too large for an IEEE-754 double/],
    ['NaN', /expected a JSON value/],
    ['True', /expected a JSON value/],
    ['"abc', /not closed/],
    ['"a\tb"', /control character \(U\+0009\)/],
    ['"\\x41"', /unknown escape \\x/],
    ['"\\u12"', /four hex digits/],
    ['{"a" 1}', /expected ':'/],
    ['[1 2]', /expected ',' or '\]'/],
    ['\ufeff{}', /byte-order mark/],
    ['{"a":1} x', /end of input/],
  ])('refuses %j', (source, pattern) => {
    expect(parseError(source).message).toMatch(pattern);
  });

  it('gives the line and column of the mistake', () => {
    const e = parseError('{\n  "a": [1, 2,\n    ]\n}', 'x.json');
    expect(e.location).toMatchObject({ file: 'x.json', line: 3, column: 5 });
    expect(e.message.startsWith('x.json:3:5: ')).toBe(true);
  });

  it('refuses nesting deeper than the limit but accepts the limit itself', () => {
    expect(parsed('['.repeat(MAX_JSON_DEPTH) + ']'.repeat(MAX_JSON_DEPTH))).toBeDefined();
    expect(parseError('['.repeat(MAX_JSON_DEPTH + 1) + ']'.repeat(MAX_JSON_DEPTH + 1)).message).toMatch(/nested more than/);
  });
});

/**
 * A second, independent canonicalizer for the property test: keys sorted by
 * the default Array sort (UTF-16 code units), primitives through JSON.stringify.
 */
function reference(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(reference).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    return `{${Object.keys(obj).sort().map((k) => `${JSON.stringify(k)}:${reference(obj[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function asDoubles(v: JsonValue): unknown {
  if (typeof v === 'bigint') return Number(v);
  if (Array.isArray(v)) return v.map(asDoubles);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, asDoubles(x)]));
  return v;
}

describe('canonicalJson properties', () => {
  const isNfcEverywhere = (v: unknown): boolean => {
    if (typeof v === 'string') return v.normalize('NFC') === v;
    if (Array.isArray(v)) return v.every(isNfcEverywhere);
    if (v !== null && typeof v === 'object') return Object.entries(v).every(([k, x]) => isNfcEverywhere(k) && isNfcEverywhere(x));
    return true;
  };
  const values = fc.jsonValue({ maxDepth: 4 }).filter(isNfcEverywhere);

  it('agrees with an independent reference canonicalizer', () => {
    fc.assert(fc.property(values, (v) => text(v) === reference(v)), { numRuns: 500 });
  });

  it('is a fixed point: parsing the canonical text and canonicalizing again gives the same bytes', () => {
    fc.assert(fc.property(values, (v) => {
      const once = text(v);
      return text(parsed(once)) === once;
    }), { numRuns: 500 });
  });

  it('parses what JSON.stringify writes to the same value JSON.parse gives', () => {
    fc.assert(fc.property(values, (v) => {
      const s = JSON.stringify(v);
      // Integers past 2^53 come back as bigint with the digits written; compare as doubles.
      expect(asDoubles(parsed(s))).toEqual(JSON.parse(s));
      expect(text(parsed(s))).toBe(text(JSON.parse(s)));
    }), { numRuns: 300 });
  });

  it('produces well-formed UTF-8', () => {
    fc.assert(fc.property(values, (v) => {
      const r = canonicalJson(v as JsonValue);
      return r.ok && decodeUtf8(r.value) === text(v);
    }), { numRuns: 200 });
  });
});

describe('checkCanonicalJson: canonicalJson\'s answer without the text', () => {
  const answer = (v: unknown): string => {
    const r = canonicalJson(v as JsonValue);
    return r.ok ? 'ok' : JSON.stringify(r.error);
  };
  const checked = (v: unknown): string => {
    const r = checkCanonicalJson(v as JsonValue);
    return r.ok ? 'ok' : JSON.stringify(r.error);
  };
  let deep: unknown = 1;
  for (let i = 0; i < 600; i++) deep = [deep];

  it('accepts and refuses exactly what canonicalJson does, with the same error', () => {
    const cases: unknown[] = [
      { b: [1, 'x', null, true], a: { c: -0 } },
      { k: 'e\u0301' },
      { ['e\u0301']: 1 },
      [1, Number.NaN],
      { n: Infinity },
      { big: 2n ** 200n },
      { ok: 12345678901234567890n },
      { d: new Date(0) },
      [undefined],
      deep,
    ];
    for (const v of cases) expect(checked(v)).toBe(answer(v));
    expect(cases.map(checked).filter((a) => a === 'ok')).toHaveLength(2);
  });

  it('agrees with canonicalJson on generated values, NFC or not', () => {
    fc.assert(fc.property(fc.jsonValue({ maxDepth: 4 }), (v) => checked(v) === answer(v)), { numRuns: 300 });
  });
});
