/**
 * Issue 10 class 6, the pure half: ref names and host user names are bytes.
 * Whatever bytes arrive, the decision, the audit entry and its canonical
 * JSON never throw, and the entry gives back exactly the bytes that came in
 * (ref names, host user name, actor, reasons), so an audit can never be
 * dodged by a name and two names never read the same. fast-check with a
 * fixed seed; a failure prints the seed and the counterexample.
 */
import fc from 'fast-check';
import { canonicalJson } from '../../src/canon/jcs';
import { textBytes, textOfBytes } from '../../src/core/byte-text';
import { compilePolicy, loadPolicy } from '../../src/rgs';
import { emptyGraphJson, readTrustSet } from '../../src/trust';
import { auditEntry, auditMessage, decideUpdate, readGateConfig, resolvePusher, textOf, verdictOf, type ActiveBundle, type AuditContext, type GateConfig } from '../../src/gate';
import type { JsonValue } from '../../src/canon/jcs';

const SEED = 1_0_2026_12;
const RUNS = 400;

function run<T extends [unknown, ...unknown[]]>(name: string, prop: fc.IProperty<T>): void {
  try {
    fc.assert(prop, { seed: SEED, numRuns: RUNS });
  } catch (e) {
    throw new Error(`${name}: property failed with fast-check seed ${SEED} (rerun with that seed):\n${e instanceof Error ? e.message : String(e)}`);
  }
}

function config(mode: 'enforce' | 'evaluate'): GateConfig {
  const c = readGateConfig([['gatos.mode', mode], ['gatos.actorkind', 'user'], ['gatos.actormap', 'ci-bot agent:ci']]);
  if (!c.ok) throw new Error(c.error.message);
  return c.value;
}

function bundle(): ActiveBundle {
  const rgs = 'rules:\n  - id: branches\n    when: { ref: "refs/heads/**" }\n    allow_if: "actor.id != \'\'"\n  - id: tags/no\n    when: { ref: "refs/tags/**" }\n    deny_if: true\n    reason: no tags\n';
  const c = compilePolicy([{ file: 'p.rgs', text: rgs }]);
  if (!c.ok) throw new Error(JSON.stringify(c.error));
  const p = loadPolicy(c.value.bytes);
  if (!p.ok) throw new Error(p.error.message);
  const g = canonicalJson(emptyGraphJson());
  if (!g.ok) throw new Error(g.error.message);
  const t = readTrustSet(new Map([['graph.json', g.value]]));
  if (!t.ok) throw new Error(t.error.message);
  return { commit: 'c'.repeat(40), policyCodeRoot: c.value.root, policy: p.value, trust: t.value, folds: [] };
}

const PREFIXES = ['refs/heads/', 'refs/tags/', 'refs/gatos/journal/finance/user/', 'refs/gatos/state/', 'refs/gatos/audit/', 'refs/gatos/policies/'];
const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
/** Bytes that favour the interesting cases: ASCII, combining marks, lead bytes, stray continuation bytes. */
const nameBytes = fc.array(fc.oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.integer({ min: 0x80, max: 0xff }), fc.constantFrom(0xcc, 0x81, 0xc3, 0xa9, 0xed, 0xa0, 0xef, 0xbb, 0xbf, 0xf4, 0x90, 0x0a, 0x00)), { maxLength: 24 }).map((a) => Uint8Array.from(a));

const bytesEq = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i]);
const asBytes = (v: JsonValue | undefined): Uint8Array => {
  const s = textOf(v);
  if (s === undefined) throw new Error(`not a text value: ${JSON.stringify(v)}`);
  return textBytes(s);
};
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const cat = (a: Uint8Array, b: Uint8Array): Uint8Array => Uint8Array.from([...a, ...b]);

describe('bytes as text (src/core/byte-text.ts)', () => {
  test('textOfBytes then textBytes gives back any bytes; valid UTF-8 decodes as usual', () => {
    run('round trip', fc.property(fc.uint8Array({ maxLength: 64 }), (b) => {
      expect(bytesEq(textBytes(textOfBytes(b)), b)).toBe(true);
      const strict = (() => {
        try {
          return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(b);
        } catch {
          return undefined;
        }
      })();
      if (strict !== undefined) expect(textOfBytes(b)).toBe(strict);
    }));
  });

  test('two different byte strings never give the same string', () => {
    run('injective', fc.property(fc.uint8Array({ maxLength: 12 }), fc.uint8Array({ maxLength: 12 }), (a, b) => {
      if (!bytesEq(a, b)) expect(textOfBytes(a)).not.toBe(textOfBytes(b));
    }));
  });
});

describe('decide + auditEntry + canonical JSON over arbitrary bytes', () => {
  const b = bundle();
  for (const mode of ['enforce', 'evaluate'] as const) {
    test(`${mode}: never throws, always encodes, and gives back every ref and host name byte for byte`, () => {
      const c = config(mode);
      run(`audit ${mode}`, fc.property(fc.constantFrom(...PREFIXES), nameBytes, nameBytes, nameBytes, fc.constantFrom('GL_USER', 'REMOTE_USER', 'GATOS_ACTOR', 'GL_USERNAME'), (prefix, tail1, tail2, host, source) => {
        const refBytes = [cat(utf8(prefix), tail1), cat(utf8('refs/heads/'), tail2)];
        const refs = refBytes.map(textOfBytes);
        const env = { [source]: textOfBytes(host) };
        const pusher = resolvePusher(env, c);
        const decisions = refs.map((ref, i) => decideUpdate({ update: { ref, oldId: i === 0 ? A : '0'.repeat(40), newId: B }, fastForward: false, commits: [{ id: B, parents: 1, paths: ['x'], signed: false }], events: [], checkpoints: [] }, b, c, { pusher, now: 1_700_000_000, transport: 'ssh', pushOptions: [] }));
        const v = verdictOf(decisions);
        const ctx: AuditContext = {
          hook: 'pre-receive', now: 1_700_000_000, mode, transport: 'ssh', clientIp: textOfBytes(tail2),
          updates: decisions.map((d) => ({ ref: d.ref, oldId: d.oldId, newId: d.newId })),
          ...(pusher.actor ? { actor: pusher.actor.id } : {}),
          ...(pusher.hostName !== undefined ? { hostUser: pusher.hostName } : {}),
          ...(pusher.source ? { actorSource: pusher.source } : {}),
          pushCert: { signer: textOfBytes(host), key: 'k', status: 'G' },
        };
        const entry = auditEntry(v, ctx);
        const bytes = canonicalJson(entry);
        if (!bytes.ok) throw new Error(bytes.error.message);
        const back = JSON.parse(new TextDecoder().decode(bytes.value)) as { updates: { ref: JsonValue }[]; denials: { ref: JsonValue; reason: JsonValue }[]; host_user: JsonValue; client_ip: JsonValue; push_cert: { signer: JsonValue } };
        // Every ref name, byte for byte, in order; denials name their ref exactly too.
        back.updates.forEach((u, i) => expect(bytesEq(asBytes(u.ref), refBytes[i] as Uint8Array)).toBe(true));
        for (const d of back.denials) {
          expect(refs).toContain(textOf(d.ref));
          expect(textOf(d.reason)).toBeDefined();
        }
        if (host.length > 0) expect(bytesEq(asBytes(back.host_user), host)).toBe(true);
        expect(bytesEq(asBytes(back.client_ip), tail2)).toBe(true);
        expect(bytesEq(asBytes(back.push_cert.signer), host)).toBe(true);
        // The commit message shows names escaped: its header is always exactly the summary line, a blank line and three fields.
        const msg = auditMessage(v, ctx);
        expect(msg.split('\n')).toHaveLength(6);
      }));
    });
  }
});
