/**
 * Session names, session commit messages, the governance.conflict payload
 * (src/session/format.ts) and the gate's session rule (src/gate/session.ts):
 * pure, no git. Every malformed piece is refused.
 */
import { classifyRef } from '../../src/gate/ref-class';
import { sessionDenials } from '../../src/gate/session';
import { conflictPayload, parseConflictPayload, parseSessionMessage, parseSessionRef, sameConflicts, sessionMessage, sessionRefOf, type SessionInfo } from '../../src/session/format';

const ULID = '01KDX5Z5Z5Z5Z5Z5Z5Z5Z5Z5Z5';
const ID = 'a'.repeat(40);
const ROOT = `sha256:${'b'.repeat(64)}`;
const ALICE = { kind: 'user', name: 'alice', id: 'user:alice' } as const;

describe('session refs', () => {
  test('refs/gatos/sessions/<kind>/<name>/<ulid> is the session plane; anything else under it is not a GATOS name', () => {
    const ref = sessionRefOf(ALICE, ULID);
    expect(ref).toBe(`refs/gatos/sessions/user/alice/${ULID}`);
    expect(classifyRef(ref)).toEqual({ plane: 'session', session: { ref, actor: ALICE, ulid: ULID } });
    for (const bad of ['refs/gatos/sessions/user/alice', `refs/gatos/sessions/robot/alice/${ULID}`, 'refs/gatos/sessions/user/alice/not-a-ulid', `refs/gatos/sessions/user/alice/${ULID}/x`]) {
      expect(classifyRef(bad).plane).toBe('gatos-other');
    }
    expect(parseSessionRef('refs/gatos/state/x')).toBeUndefined();
  });
});

describe('session commit messages', () => {
  const save: SessionInfo = { verb: 'save', ns: 'notes', fold: 'notes', foldRoot: ROOT, base: ID, head: 'c'.repeat(40) };
  const merge: SessionInfo = { verb: 'merge', ns: 'notes', fold: 'notes', foldRoot: ROOT, base: ID, merge: 'd'.repeat(40), conflict: 'e'.repeat(40) };

  test('round trip', () => {
    for (const s of [save, merge, { verb: 'start', ns: 'n', fold: 'f', foldRoot: ROOT, base: ID } as SessionInfo]) {
      expect(parseSessionMessage(sessionMessage(s), 'sha1')).toEqual({ ok: true, value: s });
    }
  });

  test('anything else is refused with TRAILER_INVALID, naming what is wrong', () => {
    const text = sessionMessage(save);
    const cases: [string, string][] = [
      [text.replace('session save', 'session redo'), 'subject'],
      [`${text}Extra: 1\n`, 'unknown trailer Extra'],
      [`${text}Session-Base: ${ID}\n`, 'Session-Base appears 2 times'],
      [text.replace(/Session-Base: .*\n/, ''), 'Session-Base is missing'],
      [text.replace(ID, 'x'.repeat(40)), 'not a sha1 object id'],
      [text.replace(ROOT, 'sha256:00'), 'Fold-Root'],
      [`${text}Session-Merge: ${ID}\n`, "a 'save' commit carries"],
      [sessionMessage(merge).replace(/Session-Merge: .*\n/, ''), 'Session-Merge is missing'],
      [text.replace('Session-NS: notes', 'Session-NS: ../x'), 'Session-NS'],
    ];
    for (const [msg, why] of cases) {
      const r = parseSessionMessage(msg, 'sha1');
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.error.code).toBe('TRAILER_INVALID');
        expect(r.error.message).toContain(why);
      }
    }
  });
});

describe('the governance.conflict payload', () => {
  const conflicts = [
    { path: '$["notes"]["b"]', rule: 'session/no-lattice' },
    { path: '$["notes"]["a"]', rule: 'session/no-lattice' },
  ];

  test('is written in canonical order and read back; the same conflicts in any order are the same', () => {
    const p = conflictPayload({ session: ID, state: ID, conflicts });
    expect(p.conflicts.map((c) => c.path)).toEqual(['$["notes"]["a"]', '$["notes"]["b"]']);
    const back = parseConflictPayload(JSON.parse(JSON.stringify(p)));
    expect(back.ok && sameConflicts(back.value.conflicts, conflicts)).toBe(true);
    expect(sameConflicts(conflicts, conflicts.slice(1))).toBe(false);
    expect(sameConflicts(conflicts, [{ ...conflicts[0], rule: 'other' } as (typeof conflicts)[0], conflicts[1] as (typeof conflicts)[0]])).toBe(false);
  });

  test('anything but exactly { session, state, conflicts: [{ path, rule }] } is refused', () => {
    for (const bad of [null, [], { session: ID, state: ID }, { session: ID, state: ID, conflicts: [] }, { session: ID, state: ID, conflicts: [{ path: 'p' }] }, { session: ID, state: ID, conflicts: [{ path: 'p', rule: 'r', x: 1 }] }, { session: 1, state: ID, conflicts: [{ path: 'p', rule: 'r' }] }, { session: ID, state: ID, conflicts: [{ path: 'p', rule: 'r' }], more: 1 }]) {
      expect(parseConflictPayload(bad).ok).toBe(false);
    }
  });
});

describe('the gate rule on session refs', () => {
  const ref = sessionRefOf(ALICE, ULID);
  const cls = classifyRef(ref);

  test('an actor writes its own sessions; another actor, or a push without a pusher, is refused gate/session-owner', () => {
    expect(sessionDenials(ref, cls, 'create', [], { actor: ALICE })).toEqual([]);
    const other = sessionDenials(ref, cls, 'fast_forward', [], { actor: { kind: 'user', name: 'bob', id: 'user:bob' } });
    expect(other.map((d) => `${d.code} ${d.ruleId}`)).toEqual(['POLICY_DENY gate/session-owner']);
    expect(other[0]?.reason).toContain('user:bob may write only its own');
    expect(sessionDenials(ref, cls, 'create', [], {}).map((d) => d.ruleId)).toEqual(['gate/session-owner']);
  });

  test('every failed session check is a denial with its own code, on any ref it was gathered for', () => {
    const facts = [
      { ok: true as const, detail: 'fine' },
      { ok: false as const, code: 'SESSION_NOT_JOIN' as const, reason: 'not the join', commit: ID },
      { ok: false as const, code: 'SESSION_CONFLICT' as const, reason: 'conflict', hint: 'record it' },
    ];
    const d = sessionDenials('refs/gatos/state/notes', classifyRef('refs/gatos/state/notes'), 'checkpoint', facts, {});
    expect(d.map((x) => `${x.code} ${x.ruleId} ${x.commit ?? '-'}`)).toEqual([`SESSION_NOT_JOIN gate/session ${ID}`, 'SESSION_CONFLICT gate/session -']);
    expect(d[1]?.hint).toBe('record it');
  });
});
