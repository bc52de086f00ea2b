/**
 * Deciding ahead (src/serve/ahead.ts, decision 0057): the guess of a push's
 * update lines and environment (pure), and stillHolds, the check that lets a
 * decision made ahead stand in for the request's, against a real repository
 * whose refs move. The end-to-end cases (a moved active ref, changed
 * settings, between the decision ahead and the request) are in
 * test/serve/daemon.test.ts.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { err, gateError } from '../../src/core/result';
import { readGateConfig, type GateConfig, type Verdict } from '../../src/gate';
import { openRepo, type GitRepo } from '../../src/git';
import { LooseCache } from '../../src/git/loose';
import { RepoReads } from '../../src/git/observe';
import { AHEAD_MAX_UPDATES, AheadTries, decideAhead, envFor, guessUpdateLines, quarantineTips, stillHolds, type Ahead, type Asked } from '../../src/serve/ahead';
import { EnvReads } from '../../src/serve/env-reads';
import { readQuarantine } from '../../src/push/prefetch';
import type { PushOutcome } from '../../src/push/decide-push';
import { git, initRepo, writeCommit } from '../helpers/git';
import { tmpDir } from '../helpers/tmp';

const [A, B, C, D, E] = ['a', 'b', 'c', 'd', 'e'].map((x) => x.repeat(40)) as [string, string, string, string, string];
const REF = 'refs/gatos/journal/finance/user/alice';

describe('guessing the next push', () => {
  it('finds each quarantine tip and where its first-parent line leaves the quarantine', () => {
    // C <- D <- E in the quarantine, C's parent A outside; B a second tip on A.
    const tips = quarantineTips([
      { id: C, parents: [A] },
      { id: D, parents: [C] },
      { id: E, parents: [D, B] },
      { id: B, parents: [A] },
    ]);
    expect([...tips]).toEqual([[E, A]]);
    expect([...quarantineTips([{ id: C, parents: [A] }, { id: D, parents: [B] }])]).toEqual([[C, A], [D, B]]);
    // A root commit, and a loop (no such objects can exist; the guess must still end): no tip with a base.
    expect([...quarantineTips([{ id: C, parents: [] }])]).toEqual([]);
    expect([...quarantineTips([{ id: C, parents: [D] }, { id: D, parents: [C] }])]).toEqual([]);
  });

  it('extends the refs the last push updated, in its order, from their current values', () => {
    const last = `${A} ${B} ${REF}\n${A} ${C} refs/heads/main\n`;
    // The journal now at B; a tip D on B extends it. main is at C, and no tip extends C.
    expect(guessUpdateLines(last, new Map([[D, B]]), new Map([[REF, B], ['refs/heads/main', C]]))).toBe(`${B} ${D} ${REF}\n`);
    // No ref is where a tip starts (another client's push, a rewritten ref), or the ref is gone: no guess.
    expect(guessUpdateLines(last, new Map([[D, E]]), new Map([[REF, B]]))).toBeUndefined();
    expect(guessUpdateLines(last, new Map([[D, B]]), new Map([[REF, undefined]]))).toBeUndefined();
  });

  it('moves the environment to the new quarantine, and only where git named the last one', () => {
    const last = { GIT_DIR: '/srv/r.git', GIT_QUARANTINE_PATH: '/srv/r.git/objects/tmp_objdir-incoming-1', GIT_OBJECT_DIRECTORY: '/srv/r.git/objects/tmp_objdir-incoming-1', GIT_ALTERNATE_OBJECT_DIRECTORIES: '/srv/r.git/objects', GATOS_ACTOR: 'user:alice' };
    const q = '/srv/r.git/objects/tmp_objdir-incoming-2';
    expect(envFor(last, q)).toEqual({ ...last, GIT_QUARANTINE_PATH: q, GIT_OBJECT_DIRECTORY: q });
    expect(envFor({ ...last, GIT_OBJECT_DIRECTORY: '/elsewhere' }, q)).toEqual({ ...last, GIT_QUARANTINE_PATH: q, GIT_OBJECT_DIRECTORY: '/elsewhere' });
    expect(envFor({ GIT_DIR: '/srv/r.git' }, q)).toBeUndefined();
  });
});

describe('stillHolds: a decision made ahead stands in only while every input is the request\'s', () => {
  let gitDir: string;
  let repo: GitRepo;
  let tip: string;
  let config: GateConfig;
  const env = { GIT_DIR: '/srv/r.git', GATOS_ACTOR: 'user:alice' };
  const verdict: Verdict = { accepted: true, decisions: [], denials: [] };
  const outcome = { verdict } as unknown as PushOutcome;

  beforeAll(async () => {
    gitDir = initRepo({ bare: true });
    tip = writeCommit(gitDir, { ref: REF });
    const r = await openRepo(gitDir, { format: 'sha1', cwd: gitDir });
    if (!r.ok) throw new Error(r.error.message);
    repo = r.value;
    const c = readGateConfig([]);
    if (!c.ok) throw new Error(c.error.message);
    config = c.value;
  });

  afterAll(async () => {
    await repo.close();
  });

  /** A decision made ahead that read `read` of its environment (all of it unless told). */
  const made = (reads: RepoReads, read: readonly string[] = Object.keys(env)): Ahead => {
    const envReads = new EnvReads(env);
    const seen = envReads.view();
    for (const k of read) void seen[k];
    return { stdin: `${A} ${B} ${REF}\n`, envReads, cwd: gitDir, now: 1_700_000_000, config, reads, outcome, events: 1 };
  };
  const asked = (more: Partial<Asked> = {}): Asked => ({ stdin: `${A} ${B} ${REF}\n`, env: { ...env }, cwd: gitDir, now: 1_700_000_000, config, ...more });
  const readsOf = (refs: Record<string, string | undefined>): RepoReads => {
    const r = new RepoReads();
    for (const [k, v] of Object.entries(refs)) r.ref(k, v);
    return r;
  };

  it('holds when nothing changed', async () => {
    expect(await stillHolds(made(readsOf({ [REF]: tip, 'refs/gatos/policies/active': undefined })), asked(), repo)).toBe(true);
  });

  it('does not hold when a ref read moved, appeared or is gone', async () => {
    expect(await stillHolds(made(readsOf({ [REF]: A })), asked(), repo)).toBe(false);
    expect(await stillHolds(made(readsOf({ [REF]: undefined })), asked(), repo)).toBe(false);
    expect(await stillHolds(made(readsOf({ 'refs/heads/gone': tip })), asked(), repo)).toBe(false);
  });

  it('does not hold when a ref listing answers differently now', async () => {
    const reads = readsOf({});
    reads.lists.push({ patterns: ['refs/gatos/journal/'], answer: '[]' });
    expect(await stillHolds(made(reads), asked(), repo)).toBe(false);
    const now = await repo.forEachRef(['refs/gatos/journal/']);
    if (!now.ok) throw new Error(now.error.message);
    reads.lists[0] = { patterns: ['refs/gatos/journal/'], answer: JSON.stringify(now.value) };
    expect(await stillHolds(made(reads), asked(), repo)).toBe(true);
  });

  it('does not hold after a git process ran, a read failed or a ref read two ways', async () => {
    const spawned = readsOf({ [REF]: tip });
    spawned.processes = 1;
    expect(await stillHolds(made(spawned), asked(), repo)).toBe(false);
    const doubted = readsOf({ [REF]: tip });
    doubted.doubts = 1;
    expect(await stillHolds(made(doubted), asked(), repo)).toBe(false);
    const twice = readsOf({ [REF]: A });
    twice.ref(REF, tip);
    expect(twice.doubts).toBe(1);
    expect(await stillHolds(made(twice), asked(), repo)).toBe(false);
  });

  // Decision 0061: sshd gives each connection its own SSH_CONNECTION (the client's port), a CGI server its own
  // REMOTE_PORT; compared whole, no push over ssh:// or http:// used a decision made ahead.
  it('holds when only variables the decision never read differ, or the ports of an ssh connection', async () => {
    const reads = readsOf({ [REF]: tip });
    const sshEnv = { ...env, SSH_CONNECTION: '127.0.0.1 40000 127.0.0.1 22' };
    const sshMade = (): Ahead => {
      const envReads = new EnvReads(sshEnv);
      const seen = envReads.view();
      void seen.GATOS_ACTOR;
      void seen.SSH_CONNECTION;
      return { ...made(reads), envReads };
    };
    expect(await stillHolds(made(reads), asked({ env: { ...env, REMOTE_PORT: '51234', HTTP_USER_AGENT: 'git/2.39.5' } }), repo)).toBe(true);
    expect(await stillHolds(made(reads), asked({ env: { ...env, GIT_TRACE2_PARENT_SID: 'another-session' } }), repo)).toBe(true);
    expect(await stillHolds(sshMade(), asked({ env: { ...sshEnv, SSH_CONNECTION: '127.0.0.1 40002 127.0.0.1 22' } }), repo)).toBe(true);
    expect(await stillHolds(sshMade(), asked({ env: { ...sshEnv, SSH_CONNECTION: '127.0.0.1 40002 127.0.0.9 2222' } }), repo)).toBe(true);
    // Another client address, no connection, an empty one: what transportOf would answer differently.
    expect(await stillHolds(sshMade(), asked({ env: { ...sshEnv, SSH_CONNECTION: '127.0.0.2 40000 127.0.0.1 22' } }), repo)).toBe(false);
    expect(await stillHolds(sshMade(), asked({ env: { ...env } }), repo)).toBe(false);
    expect(await stillHolds(sshMade(), asked({ env: { ...sshEnv, SSH_CONNECTION: '' } }), repo)).toBe(false);
    // A variable it read, set where it was not.
    expect(await stillHolds(made(reads, ['GATOS_ACTOR', 'GL_USER']), asked({ env: { ...env, GL_USER: 'bob' } }), repo)).toBe(false);
  });

  it('does not hold for other update lines, another environment, directory or second, or other settings', async () => {
    const reads = readsOf({ [REF]: tip });
    expect(await stillHolds(made(reads), asked({ stdin: `${A} ${C} ${REF}\n` }), repo)).toBe(false);
    expect(await stillHolds(made(reads), asked({ env: { ...env, GATOS_ACTOR: 'user:bob' } }), repo)).toBe(false);
    expect(await stillHolds(made(reads), asked({ env: { ...env, GIT_PUSH_OPTION_COUNT: '0' } }), repo)).toBe(false);
    // git's variables are compared whether read or not: the repository view reads them outside the recorded view.
    expect(await stillHolds(made(reads, []), asked({ env: { ...env, GIT_PUSH_OPTION_COUNT: '0' } }), repo)).toBe(false);
    expect(await stillHolds(made(reads, []), asked({ env: { GATOS_ACTOR: 'user:alice' } }), repo)).toBe(false);
    expect(await stillHolds(made(reads), asked({ cwd: '/' }), repo)).toBe(false);
    expect(await stillHolds(made(reads), asked({ now: 1_700_000_001 }), repo)).toBe(false);
    // Equal settings read again are another object: the settings cache hands out the same one only while unchanged.
    const again = readGateConfig([]);
    if (!again.ok) throw new Error(again.error.message);
    expect(await stillHolds(made(reads), asked({ config: again.value }), repo)).toBe(false);
  });

  it('reads the refs through the request\'s view (a ref moved by git is seen at once)', async () => {
    const reads = readsOf({ [REF]: tip });
    expect(await stillHolds(made(reads), asked(), repo)).toBe(true);
    const next = writeCommit(gitDir, { parents: [tip] });
    git(gitDir, ['update-ref', REF, next]);
    try {
      expect(await stillHolds(made(reads), asked(), repo)).toBe(false);
    } finally {
      git(gitDir, ['update-ref', REF, tip]);
    }
  });
});

describe('RepoReads: a view opened with it records what can change under a decision', () => {
  it('records each ref read with its value, each listing, and every git process started', async () => {
    const gitDir = initRepo({ bare: true });
    const tip = writeCommit(gitDir, { ref: REF });
    const reads = new RepoReads();
    const r = await openRepo(gitDir, { format: 'sha1', cwd: gitDir, reads });
    if (!r.ok) throw new Error(r.error.message);
    const repo = r.value;
    try {
      await repo.readRef(REF);
      await repo.readRef('refs/heads/none');
      expect([...reads.refs]).toEqual([
        [REF, tip],
        ['refs/heads/none', undefined],
      ]);
      expect(reads.processes).toBe(0);
      await repo.forEachRef(['refs/gatos/']);
      expect(reads.lists.map((l) => l.patterns)).toEqual([['refs/gatos/']]);
      await repo.readCommit(tip);
      await repo.run(['rev-parse', '--git-dir']);
      expect(reads.processes).toBeGreaterThanOrEqual(1);
      expect(reads.doubts).toBe(0);
    } finally {
      await repo.close();
    }
  });
});

describe('decideAhead: what deciding a push nobody asked for yet may cost', () => {
  // Eighth attack pass (docs/security.md, 8.1): a decision that needs git is never used (stillHolds), so starting git
  // for it only spends the daemon's CPU and processes; a push to a branch (not fast-forward only: rev-list --not --all)
  // was decided in full twice, git processes and all, on every push, and no miss was ever counted against it.
  /**
   * A bare repository whose `ref` is at a commit, a quarantine holding the next commit on it (written as
   * receive-pack's unpack does), and decideAhead's input guessing that push from a last push of `ref`; every git
   * the decision starts is logged to `log` by a git of our own on its PATH that runs the real one.
   */
  const nextPush = (ref: string) => {
    const gitDir = initRepo({ bare: true });
    const old = writeCommit(gitDir, { ref });
    const objects = path.join(gitDir, 'objects');
    const quarantine = path.join(objects, 'tmp_objdir-incoming-next');
    mkdirSync(path.join(quarantine, 'pack'), { recursive: true });
    const tree = git(gitDir, ['rev-parse', `${old}^{tree}`]).stdout.trim();
    git(gitDir, ['commit-tree', tree, '-p', old], { input: 'next\n', env: { GIT_OBJECT_DIRECTORY: quarantine, GIT_ALTERNATE_OBJECT_DIRECTORIES: objects } });
    const bin = tmpDir('gatos-ahead-bin-');
    const log = path.join(bin, 'log');
    writeFileSync(log, '');
    const real = spawnSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).stdout.trim();
    writeFileSync(path.join(bin, 'git'), `#!/bin/sh\necho "$1" >> '${log}'\nexec '${real}' "$@"\n`, { mode: 0o755 });
    const before = path.join(objects, 'tmp_objdir-incoming-last');
    const env = { PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}`, HOME: bin, GIT_CONFIG_NOSYSTEM: '1', GIT_DIR: gitDir, GIT_QUARANTINE_PATH: before, GIT_OBJECT_DIRECTORY: before, GIT_ALTERNATE_OBJECT_DIRECTORIES: objects, GATOS_ACTOR: 'user:alice' };
    const config = readGateConfig([]);
    if (!config.ok) throw new Error(config.error.message);
    const looseCache = new LooseCache();
    const input = {
      quarantine,
      last: { stdin: `${'0'.repeat(40)} ${old} ${ref}\n`, env, cwd: gitDir, gitDir },
      format: 'sha1' as const,
      looseCache,
      // As the daemon hands them over: what its read of the quarantine listed.
      ids: readQuarantine(quarantine, 'sha1', looseCache).ids,
      nowMs: 1_700_000_000_000,
      settings: () => Promise.resolve(config),
      activeBundle: () => Promise.resolve(err(gateError('NOT_FOUND', 'no bundle in this test'))),
      maxObjects: 64,
    };
    return { input, log };
  };

  // Eighth attack pass (docs/security.md, 8.1): a decision that needs git is never used (stillHolds), so starting git
  // for it only spends the daemon's CPU and processes; a push to a branch (not fast-forward only: rev-list --not --all)
  // was decided in full twice, git processes and all, on every push, and no miss was ever counted against it.
  it('starts no git process: a decision that would need one ends there, undecided', async () => {
    const { input, log } = nextPush('refs/heads/main');
    expect(await decideAhead(input)).toBeUndefined();
    expect(readFileSync(log, 'utf8')).toBe('');
  });

  // 8.6: the guess reads every ref the last push named, on every read of every quarantine, before any bound on
  // decisions applies, and parsed packed-refs for each one absent (0.6 ms each with 1,000 refs packed): one push of
  // thousands of refs, even refused, made every later push's guesses cost seconds of the daemon's one thread.
  it('guesses nothing from a last push of more refs than a push it decides ahead may bring', async () => {
    const { input } = nextPush(REF);
    const others = Array.from({ length: AHEAD_MAX_UPDATES }, (_, i) => `${'0'.repeat(40)} ${'1'.repeat(40)} refs/heads/x${i}\n`).join('');
    let guessed = 0;
    const start = (): boolean => {
      guessed++;
      return false;
    };
    expect(await decideAhead({ ...input, start })).toBeUndefined();
    expect(guessed).toBe(1);
    expect(await decideAhead({ ...input, last: { ...input.last, stdin: input.last.stdin + others }, start })).toBeUndefined();
    expect(guessed).toBe(1);
  });

  // Decision 0063: the read that starts a decision made ahead hands it the objects it listed, so the quarantine git is
  // still writing to is not listed again; the list bounds what is guessed from, as a listing here did.
  it('guesses from the objects the read listed, not from a listing of its own, and from no more than it may read', async () => {
    const { input } = nextPush(REF);
    const listed = input.ids;
    expect(listed.length).toBeGreaterThan(0);
    let guessed = 0;
    const start = (): boolean => {
      guessed++;
      return false;
    };
    await decideAhead({ ...input, ids: listed, start });
    expect(guessed).toBe(1);
    // The same quarantine (holding the next commit, whose tree the repository has), but the read listed none of it.
    await decideAhead({ ...input, ids: [], start });
    // More than a decision made ahead reads.
    await decideAhead({ ...input, ids: [...listed, ...Array.from({ length: input.maxObjects }, (_, i) => i.toString(16).padStart(40, '0'))], start });
    expect(guessed).toBe(1);
  });

  // 8.5: the daemon hands a decision made ahead only the bundle it keeps warm, never loading one for a push not asked
  // for (that changed what it keeps and what /readyz says); a bundle it could not hand out is no refusal to keep.
  it('makes no decision under an active bundle that could not be had: the request loads it and decides', async () => {
    const { input, log } = nextPush(REF);
    expect(await decideAhead(input)).toBeUndefined();
    expect(readFileSync(log, 'utf8')).toBe('');
  });
});

describe('AheadTries: how often one quarantine is guessed from and decided ahead', () => {
  // 8.2 and 8.7: every read of a quarantine guessed again (reading each object and each ref the last push named), and
  // the daemon reads a quarantine after each pause in git's writes, which a pusher sending slowly makes as many as it
  // likes; a guess that matches no ref decides nothing, so bounding decisions alone left the guesses unbounded.
  it('allows a few guesses and two decisions per quarantine, none after its request, and forgets the oldest', () => {
    const t = new AheadTries(4, 2, 2);
    expect([1, 2, 3, 4, 5].map(() => t.guess('q1'))).toEqual([true, true, true, true, false]);
    expect([t.decide('q2'), t.decide('q2'), t.decide('q2')]).toEqual([1, 2, 0]);
    t.asked('q3');
    expect([t.guess('q3'), t.decide('q3')]).toEqual([false, 0]);
    // Two quarantines are remembered here: q1 was the oldest, and is new again (its push ended long ago).
    expect(t.guess('q1')).toBe(true);
  });
});
