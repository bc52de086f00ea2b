/**
 * The third attack pass (docs/security.md, "the planes added last"):
 * sessions, governance, proofs, epochs, the daemon's verdict records and the
 * in-process git readers, attacked from outside. One world (minimal
 * template, SHA-256, file://, both hooks: these planes' other suites are
 * sha1 only), built once: alice's event, its checkpoint, its proof and a
 * session she started, accepted (the proof stays local). Then one
 * refused push, in evaluate mode, carries every attack as its own ref, and
 * the audit entry must name each ref's own enforced refusal:
 * - session commits that are not the bytes `gatos session` writes (an extra
 *   commit header, text between the subject and the trailers, an empty
 *   folder beside the state): objects, not fields;
 * - a governance statement that is no statement (evaluate mode relaxed
 *   gate/governance: a forged proposal landed);
 * - a proof commit carrying a header `gatos prove` never writes;
 * - an epoch anchor dated a millennium ahead (anchors skipped the clock
 *   rule events obey, and its ULID would have ended the chain).
 * A second push names the state ref twice (a raw client: git's own refuses
 * to), so git lands the first update and refuses the second, while the
 * gate took the last for the state the push leaves: a session merge and a
 * proof of a checkpoint that never landed were accepted beside it. A third
 * push runs in a git namespace, whose refs the gate does not read.
 */
import { GateWorld, type Run } from '../helpers/gate-world';
import { expectAccepted, expectAttackRefused, rawPush, serverConfig, writeLiteral, zeroId } from './harness';

jest.setTimeout(120_000);

const NS = 'notes';

describe('the planes added last, attacked (minimal, sha256, evaluate mode)', () => {
  let w: GateWorld;
  let alice: string;
  /** The session alice started, accepted on the server. */
  let started: { ref: string; ulid: string; commit: string };

  function ok(r: Run, what: string): Run {
    if (r.status !== 0) throw new Error(`${what} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
    return r;
  }
  const git = (args: string[], input?: string) => ok(w.git(alice, args, {}, input), `git ${args.join(' ')}`).stdout.trim();
  /** Another session ref of alice's: the started one's ULID with its last character changed (to the i-th other one). */
  const sessionRef = (i: number) => `refs/gatos/sessions/user/alice/${started.ulid.slice(0, -1)}${'ABCD'.replace(started.ulid.slice(-1), '')[i] as string}`;

  /** The bytes of commit `id` (by default the started session's) with `edit` applied, written as a new commit. */
  const edited = (edit: (text: string) => string, id = started.commit): string => {
    const text = git(['cat-file', 'commit', id]);
    const changed = edit(`${text}\n`);
    if (changed === `${text}\n`) throw new Error('the edit changed nothing');
    return writeLiteral(w, alice, 'commit', changed);
  };

  beforeAll(() => {
    w = new GateWorld({ format: 'sha256', template: 'minimal' }).setup();
    serverConfig(w, 'gatos.timeBudgetMs', 'none');
    alice = w.client('user:alice');
    const out = ok(
      w.gatosBatch(alice, [
        ['event', 'add', '--ns', NS, '--type', 'note.set', '--payload', '{"id":"n0","text":"base"}', '--caps', 'journal:append', '--as', 'user:alice'],
        ['fold', 'checkpoint', '--ns', NS, '--as', 'user:alice'],
        ['prove', '--ns', NS, '--as', 'user:alice'],
        ['session', 'start', '--ns', NS, '--as', 'user:alice', '--json'],
      ]),
      'event, checkpoint, session start',
    ).stdout.trim();
    started = JSON.parse(out.split('\n').at(-1) as string) as typeof started;
    expectAccepted(w, () => w.push(alice, 'user:alice', [`refs/gatos/journal/${NS}/user/alice`, `refs/gatos/state/${NS}`, started.ref]));
  });

  test('one push in evaluate mode: forged session and proof commits, a statement that is none and an anchor from the future, each refused and enforced', () => {
    // Session commits carrying bytes no session writes: the gate read their fields and let the rest ride along.
    const header = edited((t) => t.replace(/^(committer .*)$/m, '$1\nx-ride-along 1.5 MB of anything'));
    const body = edited((t) => t.replace('session start\n\n', 'session start\n\nanything at all, up to the size limit\n\n'));
    const blob = git(['rev-parse', `${started.commit}:.gatos/fold-state.cbor`]);
    const empty = git(['hash-object', '-w', '-t', 'tree', '--stdin'], '');
    const inner = git(['mktree'], `100644 blob ${blob}\tfold-state.cbor\n040000 tree ${empty}\tx\n`);
    const outer = git(['mktree'], `040000 tree ${inner}\t.gatos\n`);
    const folder = edited((t) => t.replace(/^tree [0-9a-f]+$/m, `tree ${outer}`));
    const forged: Record<string, string> = { [sessionRef(0)]: header, [sessionRef(1)]: body, [sessionRef(2)]: folder };
    // A governance statement that is no statement (not the commit gatos gov builds): evaluate mode relaxed it.
    const statement = git(['hash-object', '-w', '--stdin'], '{}');
    const tree = git(['mktree'], `100644 blob ${statement}\tproposal.json\n`);
    const proposal = git(['commit-tree', tree, '-m', 'gatos/proposal x'], undefined);
    const proposalRef = `refs/gatos/proposals/${started.ulid}`;
    forged[proposalRef] = proposal;
    // An epoch anchor from a clock a millennium ahead: its ULID would end the chain (no later anchor sorts after it).
    const anchor = JSON.parse(ok(w.gatos(alice, ['epoch', 'new', NS, '--as', 'user:alice', '--json'], { GATOS_NOW: '3000-01-01T00:00:00Z' }), 'epoch new').stdout) as { ref: string; commit: string };
    forged[anchor.ref] = anchor.commit;
    // A proof commit carrying a header gatos prove never writes.
    const proofsRef = `refs/gatos/audit/proofs/${NS}`;
    forged[proofsRef] = edited((t) => t.replace(/^(committer .*)$/m, '$1\nx-ride-along anything'), git(['rev-parse', proofsRef]));

    serverConfig(w, 'gatos.mode', 'evaluate');
    try {
      expectAttackRefused(w, () => w.push(alice, 'user:alice', Object.entries(forged).map(([ref, id]) => `${id}:${ref}`)), { code: 'PROOF_INVALID', rule: 'gate/session' });
    } finally {
      serverConfig(w, 'gatos.mode', 'enforce');
    }
    const entry = w.auditEntries().at(-1);
    const enforced = (ref: string) => (entry?.denials ?? []).filter((d) => d.ref === ref && d.enforced).map((d) => `${d.code} ${d.rule}`);
    for (const ref of [sessionRef(0), sessionRef(1), sessionRef(2)]) expect(enforced(ref)).toContain('PROOF_INVALID gate/session');
    expect(enforced(proposalRef).some((d) => d.endsWith(' gate/governance'))).toBe(true);
    expect(enforced(proofsRef)).toContain('PROOF_INVALID gate/proof-envelope');
    expect(enforced(anchor.ref)).toContain('POLICY_DENY gate/event-time');
  });

  test('one push naming the state ref twice: git lands one, so the session merge and the proof of the other are refused with it', () => {
    const journal = `refs/gatos/journal/${NS}/user/alice`;
    const state = `refs/gatos/state/${NS}`;
    const proofs = `refs/gatos/audit/proofs/${NS}`;
    const base = git(['rev-parse', state]);
    const journalBefore = git(['rev-parse', journal]);
    const note = (id: string) => ['event', 'add', '--ns', NS, '--type', 'note.set', '--payload', JSON.stringify({ id, text: id }), '--caps', 'journal:append', '--as', 'user:alice'];
    // X: an ordinary checkpoint over the first new event; then the state ref goes back, and the session merges both events (CP).
    ok(w.gatosBatch(alice, [note('n1'), ['fold', 'checkpoint', '--ns', NS, '--as', 'user:alice']]), 'event, checkpoint X');
    const x = git(['rev-parse', state]);
    git(['update-ref', state, base]);
    ok(w.gatosBatch(alice, [note('n2'), ['session', 'save', started.ulid, '--as', 'user:alice'], ['session', 'merge', started.ulid, '--as', 'user:alice'], ['prove', '--ns', NS, '--as', 'user:alice']]), 'save, merge, prove');
    const cp = git(['rev-parse', state]);
    const tips = { journal: git(['rev-parse', journal]), merge: git(['rev-parse', started.ref]), proof: git(['rev-parse', proofs]) };
    expect(git(['log', '-1', '--format=%B', tips.merge])).toContain(`Session-Merge: ${cp}`);
        const commands = [
      { old: journalBefore, new: tips.journal, ref: journal },
      { old: base, new: x, ref: state },
      { old: base, new: cp, ref: state },
      { old: started.commit, new: tips.merge, ref: started.ref },
      { old: zeroId(w), new: tips.proof, ref: proofs },
    ];
    const revs = [tips.journal, x, cp, tips.merge, tips.proof, `^${base}`, `^${journalBefore}`, `^${started.commit}`];
    serverConfig(w, 'gatos.mode', 'evaluate');
    try {
      expectAttackRefused(w, () => rawPush(w, { from: alice, commands, revs, env: { GATOS_ACTOR: 'user:alice' }, format: 'sha256' }), { code: 'POLICY_DENY', rule: 'gate/one-update-per-ref' });
    } finally {
      serverConfig(w, 'gatos.mode', 'enforce');
    }
    const entry = w.auditEntries().at(-1);
    expect((entry?.denials ?? []).filter((d) => d.ref === state && d.rule === 'gate/one-update-per-ref' && d.enforced)).toHaveLength(2);
  });

  test('a push the host runs in a git namespace is refused: the gate would read the refs outside it', () => {
    // receive-pack names the hooks' refs without the namespace and writes refs/namespaces/<ns>/refs/...; every check
    // that reads "the server's refs" (journals, state tips, grants, the active bundle) would read another repository.
    const journal = `refs/gatos/journal/${NS}/user/alice`;
    const tip = git(['rev-parse', journal]);
    expectAttackRefused(w, () => rawPush(w, { from: alice, commands: [{ old: zeroId(w), new: tip, ref: journal }], revs: [tip], env: { GATOS_ACTOR: 'user:alice', GIT_NAMESPACE: 'team' }, format: 'sha256' }), { code: 'GATE_ERROR', rule: 'gate/error' });
  });
});
