/**
 * RFC 8785 vectors from cyberphone/json-canonicalization (../shared/vectors/jcs).
 *
 * Two of the six inputs contain text that is not in Unicode NFC, which GATOS
 * rejects instead of normalizing:
 *   unicode.json  "A\u030a" (A + COMBINING RING ABOVE; NFC is U+00C5)
 *   weird.json    the key "\ufb33" (HEBREW LETTER DALET WITH DAGESH, a
 *                 composition exclusion: NFC maps it to U+05D3 U+05BC)
 * For those two, canonicalJson must refuse with the path, and the plain
 * RFC 8785 writer (rfc8785Text, no NFC rule) must still give the published
 * bytes, which proves the rejection comes from the NFC rule alone.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { fromHexLoose, toHex, utf8 } from '../../src/core/bytes';
import { canonicalJson, canonicalJsonText, parseJsonStrict, rfc8785Text, type JsonValue } from '../../src/canon/jcs';
import { describeWithVectors, readVector, reportCount, vectorPath } from '../helpers/vectors';

const CASES = ['arrays', 'french', 'structures', 'unicode', 'values', 'weird'] as const;
const NOT_NFC: Record<string, string> = { unicode: '$["Unnormalized Unicode"]: index 0 on, at U+0041', weird: '$["\ufb33"]: index 0 on, at U+FB33' };

function parseInput(name: string): JsonValue {
  const r = parseJsonStrict(readVector('jcs', 'input', `${name}.json`), `jcs/input/${name}.json`);
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

function expectedBytes(name: string): Uint8Array {
  const hex = readVector('jcs', 'outhex', `${name}.txt`).replace(/\s+/g, '');
  const bytes = fromHexLoose(hex);
  // The two published forms of the expected output agree with each other.
  expect(toHex(bytes)).toBe(toHex(new Uint8Array(readFileSync(vectorPath('jcs', 'output', `${name}.json`)))));
  return bytes;
}

describeWithVectors('JCS vectors (RFC 8785 testdata)', () => {
  it('gives each NFC input its published bytes and rejects each non-NFC input with its path', () => {
    let exact = 0;
    let rejected = 0;
    let plain = 0;
    for (const name of CASES) {
      const value = parseInput(name);
      const want = expectedBytes(name);
      const r = canonicalJson(value);
      const badPath = NOT_NFC[name];
      if (badPath === undefined) {
        expect(r.ok && toHex(r.value)).toBe(toHex(want));
        exact++;
      } else {
        expect(r.ok).toBe(false);
        if (!r.ok) {
          expect(r.error.code).toBe('ENCODING_INVALID');
          expect(r.error.message).toContain(`not in Unicode NFC`);
          const [path, at] = badPath.split(': ', 2) as [string, string];
          expect(r.error.message).toContain(path);
          expect(r.error.message).toContain(at);
        }
        rejected++;
      }
      const p = rfc8785Text(value);
      expect(p.ok && toHex(utf8(p.value))).toBe(toHex(want));
      plain++;
    }
    reportCount('jcs cases byte-exact under the GATOS NFC rule', exact, 4);
    reportCount('jcs cases rejected as not NFC (unicode.json, weird.json)', rejected, 2);
    reportCount('jcs cases byte-exact as plain RFC 8785 (no NFC rule)', plain, CASES.length);
    expect(exact + rejected).toBe(CASES.length);
  });

  it('writes all 100,000 ES6 number lines exactly', () => {
    const lines = gunzipSync(readFileSync(vectorPath('jcs', 'es6numbers', 'es6testfile100k.txt.gz'))).toString('latin1').split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    const view = new DataView(new ArrayBuffer(8));
    let passed = 0;
    const failures: string[] = [];
    for (const line of lines) {
      const comma = line.indexOf(',');
      const bits = line.slice(0, comma).padStart(16, '0');
      const want = line.slice(comma + 1);
      view.setBigUint64(0, BigInt(`0x${bits}`));
      const r = canonicalJsonText(view.getFloat64(0));
      if (r.ok && r.value === want) passed++;
      else if (failures.length < 5) failures.push(`${line} -> ${r.ok ? r.value : r.error.message}`);
    }
    reportCount('jcs es6 number lines', passed, lines.length);
    expect(failures).toEqual([]);
    expect(lines.length).toBe(100_000);
  });
});
