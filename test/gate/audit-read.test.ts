/**
 * parseAuditEntry reads back exactly what auditEntry writes (names that are
 * not canonical text included, via {"bytes_b64": …}), and refuses, with what
 * is wrong, an entry.json that the gate did not write in that shape.
 */
import { canonicalJson, type JsonValue } from '../../src/canon/jcs';
import { textOfBytes } from '../../src/core/byte-text';
import { expectOk } from '../../src/core/result';
import { auditEntry, gateFailure, parseAuditEntry, type AuditContext, type Verdict } from '../../src/gate';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const NOW = 1_767_225_600; // 2026-01-01T00:00:00Z

const ctx = (over: Partial<AuditContext> = {}): AuditContext => ({ hook: 'pre-receive', now: NOW, mode: 'enforce', transport: 'ssh', updates: [{ ref: 'refs/heads/main', oldId: A, newId: B }], ...over });

const bytesOf = (v: JsonValue): Uint8Array => expectOk(canonicalJson(v));
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('parseAuditEntry', () => {
  test('reads back the fields auditEntry wrote for denials, enforced and recorded', () => {
    const v: Verdict = {
      accepted: false,
      decisions: [],
      denials: [
        { ref: 'refs/heads/main', code: 'FF_VIOLATION', ruleId: 'gate/ff-only', reason: 'not a fast-forward', enforced: true, commit: B },
        { ref: 'refs/heads/dev', code: 'POLICY_DENY', ruleId: 'branches/dev', reason: 'dry run', enforced: false },
      ],
    };
    const r = expectOk(parseAuditEntry(bytesOf(auditEntry(v, ctx({ actor: 'user:alice', hostUser: 'alice' }))), 'c1'));
    expect(r).toMatchObject({ time: '2026-01-01T00:00:00Z', outcome: 'refused', mode: 'enforce', hook: 'pre-receive', actor: 'user:alice', hostUser: 'alice', gateError: null });
    expect(r.denials).toEqual([
      { ref: 'refs/heads/main', code: 'FF_VIOLATION', rule: 'gate/ff-only', reason: 'not a fast-forward', enforced: true, commit: B },
      { ref: 'refs/heads/dev', code: 'POLICY_DENY', rule: 'branches/dev', reason: 'dry run', enforced: false, commit: null },
    ]);
  });

  test('gives back names that are not canonical text byte for byte, and keeps the stored JSON as it was', () => {
    const nfd = 'refs/heads/caf\u0065\u0301';
    const lone = textOfBytes(new Uint8Array([0x75, 0x73, 0x65, 0x72, 0x3a, 0xff, 0x78])); // user:<0xff>x, as git hands it over
    const v = gateFailure('GATE_ERROR', `crashed on ${nfd}`, [{ ref: nfd, oldId: A, newId: B }]);
    const json = auditEntry(v, ctx({ actor: lone }));
    const r = expectOk(parseAuditEntry(bytesOf(json), 'c2'));
    expect(r.actor).toBe(lone);
    expect(r.hostUser).toBeNull();
    expect(r.gateError).toEqual({ code: 'GATE_ERROR', reason: `crashed on ${nfd}` });
    expect(r.denials[0]?.ref).toBe(nfd);
    expect(r.json).toEqual(json);
  });

  test.each([
    ['bytes that are not UTF-8', new Uint8Array([0xff, 0xfe]), 'is not UTF-8'],
    ['text that is not JSON', utf8('{"type": '), 'is not JSON'],
    ['a JSON list', utf8('[]'), 'is not a JSON object'],
    ['another type', utf8('{"type":"gatos/event","v":1}'), 'is not a gatos/audit-entry of version 1'],
    ['a later version', utf8('{"type":"gatos/audit-entry","v":2}'), 'is not a gatos/audit-entry of version 1'],
  ])('refuses %s', (_what, bytes, message) => {
    const r = parseAuditEntry(bytes, 'audit commit c3');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe('PROOF_INVALID');
    expect(r.error.message).toContain('audit commit c3: entry.json');
    expect(r.error.message).toContain(message);
  });

  test('names every field of the wrong type at once', () => {
    const good = auditEntry({ accepted: false, decisions: [], denials: [{ ref: 'refs/heads/x', code: 'POLICY_DENY', ruleId: 'r', reason: 'no', enforced: true }] }, ctx()) as Record<string, JsonValue>;
    const broken = { ...good, outcome: 'maybe', actor: 7, denials: [{ ...(good.denials as Record<string, JsonValue>[])[0], enforced: 'yes' }] };
    const r = parseAuditEntry(bytesOf(broken), 'c4');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.message).toContain('outcome must be one of accepted, refused');
    expect(r.error.message).toContain('actor must be text');
    expect(r.error.message).toContain('denials[0].enforced must be true or false');
  });
});
