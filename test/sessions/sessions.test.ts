/**
 * Sessions through a gated repository (regulated template, sha1, file://),
 * with the built `gatos session` CLI and real pushes (docs/sessions.md):
 * namespace `counts` is folded by a YAML fold (LWW map and g-counters, whose
 * join is declared), `notes` by an EchoLua fold (no lattice: differing state
 * is a governance conflict). A merge that is the join is accepted; one
 * refused push carries a merge that is not the join, a conflicting merge,
 * another actor's session ref, a forced rewrite of a session and a session
 * that does not start from the state it names, each refused with its own code and rule in the one audit entry; the conflict's
 * governance.conflict event is then accepted, and after it the merge that
 * resolves it. The world is built once, in one clone (bob writes with his own
 * key and journals there); seven pushes in all, the policy's included.
 */
import path from 'node:path';
import { openRepo } from '../../src/git';
import { readSessionCommit } from '../../src/session/check';
import { writeSessionCommit } from '../../src/session/client';
import { GateWorld, type AuditEntryView, type Run } from '../helpers/gate-world';
import { formatTime } from '../../src/trust';

jest.setTimeout(240_000);

const COUNTS_FOLD = `version: 1
inputs: ["refs/gatos/journal/counts/**"]
reducers:
  - name: flags
    kind: map-join-lww
    where: { type: [flag.set, flag.cleared] }
    key: "$.payload.flag"
    value: "$.payload"
  - name: changes_by_actor
    kind: g-counter
    where: { type: [flag.set, flag.cleared] }
    key: "$.actor"
emit:
  - { path: state/counts/flags.json, from: flags }
  - { path: state/counts/changes-by-actor.json, from: changes_by_actor }
`;

const NOTES_FOLD = `inputs = { "refs/gatos/journal/notes/**" }
function init() return { notes = {} } end
function step(state, event)
  if event.type == "note.set" then state.notes[event.payload.id] = event.payload.text end
  return state
end
function emit(state) return { ["state/notes/notes.json"] = state.notes } end
`;

const J = (ns: string, who: string) => `refs/gatos/journal/${ns}/user/${who}`;
const S = (ns: string) => `refs/gatos/state/${ns}`;
const CONFLICT_PATH = '$["notes"]["n1"]';

interface Started {
  ref: string;
  ulid: string;
  commit: string;
}

describe('sessions through a gated repository (regulated, sha1)', () => {
  let w: GateWorld;
  let alice: string;
  const sessions: Record<string, Started> = {};
  /** The payload `gatos session merge --json` printed for the notes conflict. */
  let conflictPayload: { session: string; state: string; conflicts: { path: string; rule: string }[] };

  function ok(r: Run, what: string): Run {
    if (r.status !== 0) throw new Error(`${what} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
    return r;
  }
  const git = (dir: string, args: string[]) => ok(w.git(dir, args), `git ${args.join(' ')}`).stdout.trim();
  const accepted = (dir: string, actor: string, refs: string[]) => {
    const r = w.push(dir, actor, refs);
    if (r.status !== 0 || r.stderr.includes('DENIED')) throw new Error(`push by ${actor} was refused:\n${r.stderr}`);
    return r;
  };
  const event = (ns: string, type: string, payload: object, actor: string) => ['event', 'add', '--ns', ns, '--type', type, '--payload', JSON.stringify(payload), '--caps', 'journal:append', '--as', actor];
  const lastEntry = (): AuditEntryView => {
    const e = w.auditEntries().at(-1);
    if (!e) throw new Error('no audit entry');
    return e;
  };
  /** A merge commit written with the client's library but without its check: what a client that skips it pushes. */
  const uncheckedMerge = async (dir: string, sessionRef: string, checkpoint: string): Promise<string> => {
    const opened = await openRepo(path.join(dir, '.git'), { env: w.env() });
    if (!opened.ok) throw new Error(opened.error.message);
    const repo = opened.value;
    try {
      const tip = await readSessionCommit(repo, git(dir, ['rev-parse', sessionRef]));
      if (!tip.ok) throw new Error(tip.error.message);
      const m = await writeSessionCommit(repo, { ...tip.value.info, verb: 'merge', merge: checkpoint }, tip.value.state, [tip.value.id], 'user:alice', w.now);
      if (!m.ok) throw new Error(m.error.message);
      git(dir, ['update-ref', sessionRef, m.value]);
      return m.value;
    } finally {
      await repo.close();
    }
  };

  /** A `start` of session A2's namespace and base carrying another state (N1's): a session that does not fork what it names. */
  const forgedStart = async (dir: string, ref: string): Promise<void> => {
    const opened = await openRepo(path.join(dir, '.git'), { env: w.env() });
    if (!opened.ok) throw new Error(opened.error.message);
    const repo = opened.value;
    try {
      const a2 = await readSessionCommit(repo, (sessions.A2 as Started).commit);
      const n1 = await readSessionCommit(repo, git(dir, ['rev-parse', (sessions.N1 as Started).ref]));
      if (!a2.ok || !n1.ok) throw new Error('unreadable session');
      const c = await writeSessionCommit(repo, a2.value.info, n1.value.state, [], 'user:alice', w.now);
      if (!c.ok) throw new Error(c.error.message);
      git(dir, ['update-ref', ref, c.value]);
    } finally {
      await repo.close();
    }
  };

  beforeAll(() => {
    w = new GateWorld({ format: 'sha1' }).setup();
    // Several helpers share two cores: the decision, not the clock, is under test here.
    git(w.root, ['--git-dir', w.gitDir, 'config', 'gatos.timeBudgetMs', 'none']);
    ok(w.gatosBatch(w.admin, [['trust', 'grant', '--to', 'user:bob', '--caps', 'journal:append,state:checkpoint', '--exp', formatTime(w.now + 365 * 86400), '--as', 'user:root']], { GATOS_NOW: formatTime(w.adminNow) }), 'grant bob');
    w.publishRegulated('root-pub', { 'gatos/folds/flags.yaml': COUNTS_FOLD, 'gatos/folds/notes.lua': NOTES_FOLD });
    alice = w.client('user:alice');
    // The base (one event and one checkpoint in each namespace), then three sessions fork it: A1 (counts, will
    // merge as the join), A2 (counts, will undo), N1 (notes, will conflict). One Node process.
    const base = [event('counts', 'flag.set', { flag: 'a', on: true }, 'user:alice'), event('notes', 'note.set', { id: 'n0', text: 'base' }, 'user:alice'), ['fold', 'checkpoint', '--ns', 'counts', '--as', 'user:alice'], ['fold', 'checkpoint', '--ns', 'notes', '--as', 'user:alice']];
    const started = ok(w.gatosBatch(alice, [...base, ...['counts', 'counts', 'notes'].map((ns) => ['session', 'start', '--ns', ns, '--as', 'user:alice', '--json'])]), 'base, session start').stdout.trim().split('\n').slice(-3);
    ['A1', 'A2', 'N1'].forEach((name, i) => (sessions[name] = JSON.parse(started[i] as string) as Started));
    accepted(alice, 'user:alice', [J('counts', 'alice'), J('notes', 'alice'), S('counts'), S('notes')]);
    // Meanwhile bob (his own key and journals; the same clone, as if alice had fetched) moves both namespaces on.
    ok(w.gatosBatch(alice, [event('counts', 'flag.set', { flag: 'b', on: true }, 'user:bob'), event('notes', 'note.set', { id: 'n1', text: 'from bob' }, 'user:bob'), ['fold', 'checkpoint', '--ns', 'counts', '--as', 'user:bob'], ['fold', 'checkpoint', '--ns', 'notes', '--as', 'user:bob']]), 'bob events and checkpoints');
    accepted(alice, 'user:bob', [J('counts', 'bob'), J('notes', 'bob'), S('counts'), S('notes')]);
  });

  test('a session whose merge is the join of the lattices is accepted with its checkpoint', () => {
    const a1 = sessions.A1 as Started;
    ok(w.gatosBatch(alice, [event('counts', 'flag.set', { flag: 'c', on: true }, 'user:alice'), ['session', 'save', a1.ulid, '--as', 'user:alice']]), 'event, save');
    // Against bob's state every session joins: A1 and A2 by the lattices, N1 because only bob changed its notes since the base.
    const status = JSON.parse(ok(w.gatos(alice, ['session', 'status', '--json']), 'status').stdout) as { sessions: { ref: string; step: string; conflicts: unknown[] }[] };
    const of = (name: string) => status.sessions.find((x) => x.ref === (sessions[name] as Started).ref);
    expect(of('A1')).toMatchObject({ step: 'save', conflicts: [] });
    expect(of('A2')).toMatchObject({ step: 'start', conflicts: [] });
    expect(of('N1')).toMatchObject({ step: 'start', conflicts: [] });
    const m = JSON.parse(ok(w.gatos(alice, ['session', 'merge', a1.ulid, '--as', 'user:alice', '--json']), 'merge').stdout) as { merged: boolean; outcome: string; checkpoint: string };
    expect(m).toMatchObject({ merged: true, outcome: 'join' });
    accepted(alice, 'user:alice', [J('counts', 'alice'), S('counts'), a1.ref]);
    expect(git(w.root, ['--git-dir', w.gitDir, 'rev-parse', S('counts')])).toBe(m.checkpoint);
    // The merged state holds both sides: bob's flag and alice's session flag.
    expect(JSON.parse(git(w.root, ['--git-dir', w.gitDir, 'show', `${S('counts')}:state/counts/flags.json`]))).toMatchObject({ a: { on: true }, b: { on: true }, c: { on: true } });
  });

  test('one push: a non-join, a conflict, another actor\'s session, a rewritten session and a forged start are each refused with their code and rule', async () => {
    const a2 = sessions.A2 as Started;
    const n1 = sessions.N1 as Started;
    // A2 folds an event, then undoes it: the event stays on the journal, so no checkpoint is the join of the undone state.
    // N1 changes the note bob changed too, differently: no lattice covers EchoLua state, so that is a conflict.
    const steps = [event('counts', 'flag.set', { flag: 'd', on: true }, 'user:alice'), ['session', 'save', a2.ulid, '--as', 'user:alice'], ['session', 'undo', a2.ulid, '--as', 'user:alice'], event('notes', 'note.set', { id: 'n1', text: 'from alice' }, 'user:alice'), ['session', 'save', n1.ulid, '--as', 'user:alice']];
    const undone = ok(w.gatosBatch(alice, steps), 'event, save, undo; note, save');
    expect(undone.stderr).toContain(`the undone events are still on ${J('counts', 'alice')}`);
    const local = w.gatos(alice, ['session', 'merge', a2.ulid, '--as', 'user:alice', '--json']);
    expect(local.status).toBe(1);
    expect(JSON.parse(local.stdout)).toMatchObject({ merged: false, code: 'SESSION_NOT_JOIN' });
    const c = w.gatos(alice, ['session', 'merge', n1.ulid, '--as', 'user:alice', '--json']);
    expect(c.status).toBe(1);
    const refused = JSON.parse(c.stdout) as { code: string; conflict_event_payload: typeof conflictPayload };
    expect(refused.code).toBe('SESSION_CONFLICT');
    conflictPayload = refused.conflict_event_payload;
    expect(conflictPayload.conflicts).toEqual([{ path: CONFLICT_PATH, rule: 'session/no-lattice' }]);
    expect(conflictPayload.state).toBe(git(alice, ['rev-parse', S('notes')]));
    // What a client that skips the check pushes: the checkpoints, and merge commits naming them.
    ok(w.gatosBatch(alice, [['fold', 'checkpoint', '--ns', 'counts', '--as', 'user:alice'], ['fold', 'checkpoint', '--ns', 'notes', '--as', 'user:alice']]), 'checkpoints');
    await uncheckedMerge(alice, a2.ref, git(alice, ['rev-parse', S('counts')]));
    await uncheckedMerge(alice, n1.ref, git(alice, ['rev-parse', S('notes')]));
    const bobs = `refs/gatos/sessions/user/bob/${n1.ulid}`;
    const forged = 'refs/gatos/sessions/user/alice/01KDX5Z5Z5Z5Z5Z5Z5Z5Z5Z5Z6';
    await forgedStart(alice, forged);
    const before = w.serverRefs();
    const r = w.push(alice, 'user:alice', [J('counts', 'alice'), S('counts'), a2.ref, J('notes', 'alice'), S('notes'), n1.ref, `${n1.commit}:${bobs}`, `+${a2.commit}:${(sessions.A1 as Started).ref}`, forged]);
    expect(r.status).not.toBe(0);
    expect(w.serverRefs()).toBe(before);
    const e = lastEntry();
    expect(e.outcome).toBe('refused');
    const by = (ref: string) => e.denials.filter((d) => d.ref === ref).map((d) => `${d.code} ${d.rule}`);
    expect(by(S('counts'))).toEqual(['SESSION_NOT_JOIN gate/session']);
    expect(by(a2.ref)).toEqual(['SESSION_NOT_JOIN gate/session']);
    expect(by(S('notes'))).toEqual(['SESSION_CONFLICT gate/session']);
    expect(by(n1.ref)).toEqual(['SESSION_CONFLICT gate/session']);
    expect(by(bobs)).toEqual(expect.arrayContaining(['POLICY_DENY gate/session-owner']));
    expect(by((sessions.A1 as Started).ref)).toEqual(expect.arrayContaining(['FF_VIOLATION gate/fast-forward-only']));
    expect(by(forged)).toEqual(['PROOF_INVALID gate/session']);
    expect(e.denials.find((d) => d.ref === forged)?.reason).toContain('does not start from the state of the checkpoint it forks');
    expect(by(J('counts', 'alice'))).toEqual([]);
    const conflict = e.denials.find((d) => d.ref === n1.ref);
    expect(conflict?.reason).toContain(`${CONFLICT_PATH} (session/no-lattice)`);
    expect(e.denials.find((d) => d.ref === a2.ref)?.reason).toContain('flags');
    // The client sees each refusal too.
    expect(r.stderr).toContain('SESSION_NOT_JOIN');
    expect(r.stderr).toContain('SESSION_CONFLICT');
  });

  test('the governance.conflict event naming exactly the paths and rule ids is accepted, then the merge that resolves it', () => {
    const n1 = sessions.N1 as Started;
    ok(w.gatos(alice, [...event('notes', 'governance.conflict', conflictPayload, 'user:alice')]), 'conflict event');
    const eventCommit = git(alice, ['rev-parse', J('notes', 'alice')]);
    accepted(alice, 'user:alice', [J('notes', 'alice')]);
    const m = JSON.parse(ok(w.gatos(alice, ['session', 'merge', n1.ulid, '--retry', '--conflict-event', eventCommit, '--as', 'user:alice', '--json']), 'resolving merge').stdout) as { outcome: string; conflicts: unknown[]; checkpoint: string };
    expect(m).toMatchObject({ outcome: 'resolved', conflicts: [{ path: CONFLICT_PATH, rule: 'session/no-lattice' }] });
    const audit = () => git(w.root, ['--git-dir', w.gitDir, 'rev-list', '--count', 'refs/gatos/audit/policy']);
    const entries = audit();
    accepted(alice, 'user:alice', [S('notes'), n1.ref]);
    // Accepted, and no refusal recorded.
    expect(audit()).toBe(entries);
    expect(git(w.root, ['--git-dir', w.gitDir, 'rev-parse', S('notes')])).toBe(m.checkpoint);
    expect(git(w.root, ['--git-dir', w.gitDir, 'rev-parse', n1.ref])).toBe(git(alice, ['rev-parse', n1.ref]));
  });
});
