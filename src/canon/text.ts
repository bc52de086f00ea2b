/**
 * What GATOS accepts as text: well-formed Unicode (no lone surrogate) in
 * NFC. One predicate for everyone who must agree on it: canonical JSON
 * (jcs.ts, which folds emit through), emitted paths (src/fold/emit-path.ts)
 * and the event envelope (src/events/envelope.ts), so an event the gate
 * accepts never carries text a fold would refuse to emit. Pure.
 */

const ASCII = /^[^\u0080-\uffff]*$/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export interface TextProblem {
  readonly kind: 'lone-surrogate' | 'not-nfc';
  /** UTF-16 index of the first offending unit (not NFC: where the NFC form starts to differ). */
  readonly index: number;
  /** The code point there, as hex (e.g. 0301). */
  readonly codePoint: string;
}

function hexAt(s: string, i: number): string {
  return (s.codePointAt(i) ?? 0).toString(16).toUpperCase().padStart(4, '0');
}

/** Why `s` is not GATOS text, or undefined when it is. `nfc: false` checks well-formedness only. */
export function textProblem(s: string, nfc = true): TextProblem | undefined {
  if (ASCII.test(s)) return undefined;
  const lone = LONE_SURROGATE.exec(s);
  if (lone) return { kind: 'lone-surrogate', index: lone.index, codePoint: hexAt(s, lone.index) };
  if (!nfc) return undefined;
  const n = s.normalize('NFC');
  if (n === s) return undefined;
  let i = 0;
  while (i < s.length && s[i] === n[i]) i++;
  return { kind: 'not-nfc', index: i, codePoint: hexAt(s, i) };
}

/** A sentence for a problem of `s`, naming `what` it is (e.g. "the key", "payload.name"). */
export function describeTextProblem(s: string, p: TextProblem, what: string): string {
  // Escaped: the sentence lands in audit entries and on terminals, which must not carry the offending text itself.
  const clip = JSON.stringify(s.length > 40 ? `${s.slice(0, 37)}...` : s).replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return p.kind === 'lone-surrogate'
    ? `${what} contains a lone surrogate (U+${p.codePoint}) at UTF-16 index ${p.index}`
    : `${what} ${clip} is not in Unicode NFC (its NFC form differs from UTF-16 index ${p.index} on, at U+${p.codePoint})`;
}

/** The hint for a problem: well-formedness cannot be fixed by the writer's tools, NFC can. */
export function textHint(p: TextProblem): string {
  return p.kind === 'lone-surrogate' ? 'only well-formed Unicode text can be canonicalized' : 'GATOS rejects unnormalized text instead of changing it; normalize it to NFC before it is signed or hashed';
}
