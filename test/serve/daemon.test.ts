/**
 * `gatos serve` end to end: real pushes (git over file://) into gated bare
 * repositories whose pre-receive hook (a POSIX sh client) asks the daemon,
 * and the same pushes into a copy nobody serves (the cold Node hook): the
 * decisions and their `remote:` text are the same. The daemon is stopped,
 * killed while a push waits for its verdict (held with SIGSTOP until the
 * hook client has sent its request), restarted, impersonated by a pid file of
 * another user's process and by a fake daemon answering for another push:
 * each push is then decided cold (never accepted without a decision).
 * /healthz, /readyz and /metrics are read with Node's fetch after known pushes.
 */
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, constants, cpSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, rmSync, symlinkSync, utimesSync, writeFileSync, writeSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { startTimeOfStat } from '../../src/hooks/records';
import { SCHED_IDLE, threadPolicies } from '../../src/serve/priority';
import { metric, metricsOf, serve, stopped, type Served } from '../helpers/daemon';
import { CLI } from '../helpers/cli';
import { GateWorld, type Run } from '../helpers/gate-world';
import { commandRuns, required, testIf } from '../helpers/requires';
import { CUSTOM_SLICES, NO_CUSTOM_SLICES_WHY, longSlice, slicesOf } from '../helpers/sched';

jest.setTimeout(120_000);

const DECIDED = /gatos trace: pre-receive: decided by the daemon/;
const ALICE = 'refs/gatos/journal/finance/user/alice';
const BOB = 'refs/gatos/journal/finance/user/bob';

/** The `remote:` lines of a push, trace lines and the audit commit ids left out. */
function remoteText(r: Run): string {
  return r.stderr
    .split('\n')
    .filter((l) => l.startsWith('remote: ') && !l.includes('gatos trace:'))
    .map((l) => l.replace(/[0-9a-f]{40,64}/g, '<id>'))
    .join('\n');
}

/**
 * Lets go any hook still held on the FIFO `go` (a test that failed before writing to it): opened read-write, the open
 * never blocks, and every reader waiting to open it or read from it gets its line; otherwise jest would wait forever.
 */
function releaseHeld(go: string): void {
  try {
    const fd = openSync(go, constants.O_RDWR | constants.O_NONBLOCK);
    try {
      for (let i = 0; i < 16; i++) writeSync(fd, 'go\n');
    } finally {
      closeSync(fd);
    }
  } catch {
    // Gone already, or full: nobody is held.
  }
}

/** A git push run without waiting (for concurrent clients and the kill). */
function pushAsync(w: GateWorld, dir: string, actor: string, refspecs: readonly string[], extra: Record<string, string> = {}, url = 'origin'): Promise<Run> {
  return new Promise((resolve) => {
    const p = spawn('git', ['push', url, ...refspecs], { cwd: dir, env: w.env({ ...w.transport.env(actor), ...extra }) });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    p.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    p.once('close', (status) => resolve({ status, stdout, stderr }));
  });
}

describe('gatos serve', () => {
  let w: GateWorld;
  let second: string;
  let third: string;
  let waiting: string;
  let coldRepo: string;
  let daemon: Served;
  const clients: Record<string, string> = {};
  const trace = { GATOS_TRACE: '1' };
  const metrics = (): Promise<string> => metricsOf(daemon);
  /** Pushes one new event of `actor` to the repository at `url`. */
  const eventPush = (actor: 'alice' | 'bob', url: string, extra: Record<string, string> = {}): Run => {
    const dir = clients[actor] as string;
    w.addEvent(dir, `user:${actor}`, 'finance');
    return w.git(dir, ['push', url, `refs/gatos/journal/finance/user/${actor}`], { ...w.transport.env(`user:${actor}`), ...trace, ...extra });
  };

  beforeAll(async () => {
    w = new GateWorld({ format: 'sha1' }).setup();
    for (const a of ['alice', 'bob'] as const) clients[a] = w.client(`user:${a}`);
    // The second repository is served through a symlinked folder, as /srv often is (git names its quarantines by the real path).
    mkdirSync(path.join(w.root, 'real'));
    symlinkSync(path.join(w.root, 'real'), path.join(w.root, 'linked'));
    second = path.join(w.root, 'linked', 'second.git');
    coldRepo = path.join(w.root, 'cold.git');
    cpSync(w.gitDir, second, { recursive: true });
    cpSync(w.gitDir, coldRepo, { recursive: true });
    // Pushed to by one test only, whose counts of decisions made ahead no other test's pushes can reach.
    third = path.join(w.root, 'third.git');
    cpSync(w.gitDir, third, { recursive: true });
    // Served by the daemons of the tests of --sched, one at a time.
    waiting = path.join(w.root, 'waiting.git');
    cpSync(w.gitDir, waiting, { recursive: true });
    daemon = await serve([w.gitDir, second, third]);
  });

  afterAll(async () => {
    if (daemon) await stopped(daemon.proc, 'SIGTERM');
  });

  it('decides accepted and refused pushes as the cold hook does, in two repositories', async () => {
    const a = eventPush('alice', w.gitDir);
    expect(a.status).toBe(0);
    expect(a.stderr).toMatch(DECIDED);
    const aCold = eventPush('alice', coldRepo);
    expect(aCold.status).toBe(0);
    expect(aCold.stderr).not.toMatch(DECIDED);
    const b = eventPush('bob', w.gitDir);
    const bCold = w.git(clients.bob as string, ['push', coldRepo, BOB], { ...w.transport.env('user:bob'), ...trace });
    expect(b.status).not.toBe(0);
    expect(b.stderr).toMatch(DECIDED);
    expect(bCold.status).not.toBe(0);
    expect(remoteText(b)).toContain('DENIED');
    expect(remoteText(b)).toBe(remoteText(bCold));
    const two = eventPush('alice', second);
    expect(two.status).toBe(0);
    expect(two.stderr).toMatch(DECIDED);
    const m = await metrics();
    expect(metric(m, 'gatos_decisions_total', { repo: w.gitDir, outcome: 'allowed' })).toBe(1);
    expect(metric(m, 'gatos_decisions_total', { repo: w.gitDir, outcome: 'denied' })).toBe(1);
    expect(metric(m, 'gatos_decisions_total', { repo: second, outcome: 'allowed' })).toBe(1);
    expect(metric(m, 'gatos_events_verified_total', { repo: w.gitDir })).toBeGreaterThanOrEqual(1);
    expect(m).toContain('gatos_decision_seconds_count 3');
    // Each decision's line in the decision log, written after the reply (the daemon answered /metrics after it).
    const lines = readFileSync(path.join(w.gitDir, 'gatos', 'decisions.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { via: string; outcome: string; hook: string });
    expect(lines.filter((l) => l.via === 'daemon').map((l) => `${l.hook} ${l.outcome}`)).toEqual(['pre-receive accepted', 'pre-receive refused']);
  });

  it('a decision log that cannot be written changes no verdict; the daemon reports it in its own log', async () => {
    const log = path.join(second, 'gatos', 'decisions.log');
    rmSync(log, { force: true });
    mkdirSync(log);
    try {
      const r = eventPush('alice', second);
      expect(r.status).toBe(0);
      expect(r.stderr).toMatch(DECIDED);
      await metrics();
      expect(daemon.log()).toContain(`${second}: after the reply: gatos gate: WARNING: the decision log could not be written (the verdict stands)`);
    } finally {
      rmSync(log, { recursive: true, force: true });
    }
  });

  it('an object of the journal\'s tip removed between two pushes: the daemon refuses as the cold hook does (it keeps no object it cannot find on disk)', () => {
    const dir = clients.alice as string;
    const push = (url: string) => w.git(dir, ['push', '--no-thin', url, ALICE], { ...w.transport.env('user:alice'), ...trace });
    w.addEvent(dir, 'user:alice', 'finance');
    // The same tip in both: the daemon reads its objects from the push's quarantine and keeps them (decision 0049).
    expect(push(w.gitDir).status).toBe(0);
    expect(push(coldRepo).status).toBe(0);
    // The tip's event.cbor, gone from both object stores (pruned, or lost): the ULID order cannot be checked against it.
    const blob = w.git(dir, ['rev-parse', `${ALICE}:event.cbor`]).stdout.trim();
    const files = [w.gitDir, coldRepo].map((repo) => path.join(repo, 'objects', blob.slice(0, 2), blob.slice(2)));
    const bytes = readFileSync(files[0] as string);
    for (const f of files) rmSync(f);
    try {
      w.addEvent(dir, 'user:alice', 'finance');
      const served = push(w.gitDir);
      const cold = push(coldRepo);
      expect(served.stderr).toMatch(DECIDED);
      expect(cold.stderr).not.toMatch(DECIDED);
      expect(served.status).not.toBe(0);
      expect(remoteText(served)).toContain('cannot be read as an event');
      expect(remoteText(served)).toBe(remoteText(cold));
    } finally {
      // Back for the tests after this one (the refused event stays in the client, pushed with the next).
      for (const f of files) writeFileSync(f, bytes, { mode: 0o444 });
    }
  });

  // More update lines than a request line carries (and anything not plain) go through the client's folder, byte for byte.
  it('decides a push of more refs than fit inline through a folder, as the cold hook does (21 refs)', () => {
    const specs = Array.from({ length: 21 }, (_, i) => `refs/gatos/journal/finance/user/alice:refs/heads/t${i}`);
    const push = (url: string) => w.git(clients.alice as string, ['push', url, ...specs], { ...w.transport.env('user:alice'), ...trace });
    const warm = push(second);
    const cold = push(coldRepo);
    expect(warm.stderr).toMatch(DECIDED);
    expect(warm.stderr).toContain('the update lines go to the daemon through a folder');
    expect(cold.stderr).not.toMatch(DECIDED);
    expect(warm.status).toBe(cold.status);
    expect(remoteText(warm)).toBe(remoteText(cold));
    const tip = (repo: string) => w.git(w.root, ['--git-dir', repo, 'rev-parse', '--verify', '-q', 'refs/heads/t20']).stdout.trim();
    expect(tip(second)).toBe(tip(coldRepo));
    expect(readdirSync(path.join(second, 'gatos', 'daemon')).filter((n) => n.startsWith('c.') || n.startsWith('r.'))).toEqual([]);
  });

  // A refusal longer than a pipe holds (64 KiB): the daemon writes what fits at once and queues the rest (decision 0055).
  it('relays a refusal longer than a pipe holds whole and in order (96 refused refs, as the cold hook refuses them)', () => {
    const refs = Array.from({ length: 96 }, (_, i) => `refs/gatos/journal/finance/user/${'z'.repeat(240)}${i}`);
    const push = (url: string) => w.git(clients.bob as string, ['push', url, ...refs.map((r) => `${BOB}:${r}`)], { ...w.transport.env('user:bob'), ...trace });
    w.addEvent(clients.bob as string, 'user:bob', 'finance');
    const warm = push(second);
    const cold = push(coldRepo);
    expect(warm.stderr).toMatch(DECIDED);
    expect(cold.stderr).not.toMatch(DECIDED);
    expect(warm.status).not.toBe(0);
    expect(warm.status).toBe(cold.status);
    const text = remoteText(warm);
    // What the daemon wrote: `o<line>\n` per line (git adds `remote: ` and pads each line).
    const lines = text.split('\n').map((l) => l.slice('remote: '.length).trimEnd());
    expect(lines.reduce((n, l) => n + Buffer.byteLength(l) + 2, 0)).toBeGreaterThan(64 * 1024);
    expect([...new Set(lines.filter((l) => l.startsWith('DENIED ')))]).toEqual(refs.map((r) => `DENIED ${r}`));
    // Each ref's two denials, in the order the cold hook prints them, and the last line. (Not the cold hook's whole text:
    // it sometimes loses its end here, a Node process exiting with part of 76 KiB of stderr unwritten.)
    expect(lines.filter((l) => l.startsWith('  rule: ')).join(',')).toBe(refs.map(() => '  rule:   gate/ref-name,  rule:   journal/append').join(','));
    expect(lines[lines.length - 1]).toBe('Nothing was written. This refusal is recorded in refs/gatos/audit/policy.');
    expect(remoteText(cold).startsWith(text.slice(0, 16 * 1024))).toBe(true);
  });

  it('/healthz and /readyz answer', async () => {
    const h = await fetch(`http://127.0.0.1:${daemon.port}/healthz`);
    expect(h.status).toBe(200);
    // Where gatos doctor finds the daemon of a repository.
    expect(JSON.parse(readFileSync(path.join(second, 'gatos', 'daemon.json'), 'utf8'))).toEqual({ pid: daemon.proc.pid, http: `http://127.0.0.1:${daemon.port}` });
    const r = await fetch(`http://127.0.0.1:${daemon.port}/readyz`);
    const body = await r.text();
    expect(r.status).toBe(200);
    expect(body).toContain(`ready ${w.gitDir} `);
    expect(body).toContain(`ready ${second} `);
    const m = await metrics();
    const active = w.activeBundle(clients.alice as string);
    expect(metric(m, 'gatos_active_bundle_info', { repo: w.gitDir, policy_root: active.commit, fold_root: active.foldRoot })).toBe(1);
    expect((await fetch(`http://127.0.0.1:${daemon.port}/nothing`)).status).toBe(404);
  });

  it('reads the active ref on every push: a moved ref is never decided with the warm bundle', async () => {
    const ref = (args: string[]) => w.git(w.root, ['--git-dir', w.gitDir, ...args]).stdout.trim();
    const active = ref(['rev-parse', 'refs/gatos/policies/active']);
    // The operator points the active ref at a commit that is no bundle (the audit trail's tip).
    ref(['update-ref', 'refs/gatos/policies/active', ref(['rev-parse', 'refs/gatos/audit/policy'])]);
    try {
      const r = eventPush('alice', w.gitDir);
      expect(r.status).not.toBe(0);
      expect(r.stderr).toMatch(DECIDED);
      expect(remoteText(r)).toContain('the active policy bundle cannot be used');
      const ready = await fetch(`http://127.0.0.1:${daemon.port}/readyz`);
      expect(ready.status).toBe(503);
      expect(await ready.text()).toContain(`not ready ${w.gitDir}: the active bundle cannot be used`);
    } finally {
      ref(['update-ref', 'refs/gatos/policies/active', active]);
    }
    expect((await fetch(`http://127.0.0.1:${daemon.port}/readyz`)).status).toBe(200);
  });

  // Decision 0057: the daemon decides a push while git checks its objects, guessing its update lines and environment
  // from the last push; the request uses that decision only if every input is the same. Here a test-only pre-receive
  // holds the push until the daemon has decided it ahead (its metrics say so), the test changes one input, and the
  // gate's client goes on: the push must be decided again, never by the decision made ahead.
  it('a push decided ahead of its request is used only while its inputs hold: a moved active ref or changed settings decide it again', async () => {
    const hooks = path.join(w.gitDir, 'hooks');
    const gitHere = (args: string[]) => w.git(w.root, ['--git-dir', w.gitDir, ...args]).stdout.trim();
    const ahead = async (result: string) => metric(await metrics(), 'gatos_decisions_ahead_total', { repo: w.gitDir, result });
    const go = path.join(w.root, 'ahead-go');
    const stub = readFileSync(path.join(hooks, 'pre-receive'));
    const active = gitHere(['rev-parse', 'refs/gatos/policies/active']);
    /**
     * A push through the test's pre-receive, held at its start until the daemon decided it ahead, then `change` runs
     * and the push goes on; when the daemon did not decide it ahead within `patienceMs`, let go unchanged. After 8
     * decisions discarded in a row the daemon decides ahead only every 8th push, and a busy machine discards more (a
     * decision made in one second and asked for in the next).
     */
    const pushIfDecidedAhead = async (change: () => void, patienceMs: number): Promise<{ run: Run; decided: boolean }> => {
      const made = await ahead('made');
      w.addEvent(clients.alice as string, 'user:alice', 'finance');
      const push = pushAsync(w, clients.alice as string, 'user:alice', [ALICE], trace);
      let decided = false;
      for (let waited = 0; waited < patienceMs; waited += 25) {
        decided = (await ahead('made')) > made;
        if (decided) break;
        await new Promise((r) => setTimeout(r, 25));
      }
      if (decided) change();
      writeFileSync(go, 'go\n');
      return { run: await push, decided };
    };
    /** A push let go at once (whether the daemon decides it ahead does not matter). */
    const pushHeld = async (): Promise<Run> => (await pushIfDecidedAhead(() => undefined, 0)).run;
    /** pushIfDecidedAhead until the daemon decides one ahead (2 s each, 16 pushes at most). */
    const pushDecidedAhead = async (change: () => void): Promise<Run> => {
      for (let tries = 0; tries < 16; tries++) {
        const { run, decided } = await pushIfDecidedAhead(change, 2_000);
        if (decided) return run;
        // Let go unchanged: accepted as any push.
        expect(run.status).toBe(0);
      }
      throw new Error('the daemon decided none of 16 pushes ahead');
    };
    spawnSync('mkfifo', [go]);
    writeFileSync(path.join(hooks, 'pre-receive.gatos-test'), stub, { mode: 0o755 });
    writeFileSync(path.join(hooks, 'pre-receive'), `#!/bin/sh\nread -r go < '${go}'\nexec sh "\${0%/*}/pre-receive.gatos-test"\n`, { mode: 0o755 });
    const discardedBefore = await ahead('discarded');
    try {
      // The first push teaches the daemon this client's pushes (the next ones extend the same ref, the same way);
      // the next it decides ahead, and the request uses that decision. Pushed until one is used: after 8 discarded in
      // a row (earlier tests push this repository other ways) the daemon decides ahead only every 8th push.
      for (let i = 0; i < 10; i++) {
        const taught = await pushHeld();
        expect(taught.status).toBe(0);
        if (taught.stderr.includes('the decision made ahead')) break;
      }
      const usedBefore = await ahead('used');
      // (A decision made in one second and asked for in the next is discarded too: a second try, then a third.)
      let used = await pushDecidedAhead(() => undefined);
      for (let tries = 1; tries < 3 && !used.stderr.includes('the decision made ahead'); tries++) used = await pushDecidedAhead(() => undefined);
      expect(used.status).toBe(0);
      expect(used.stderr).toContain('the decision made ahead, every input unchanged');
      expect(await ahead('used')).toBe(usedBefore + 1);
      // The operator points the active ref at a commit that is no bundle (the journal's tip) once the daemon decided under the bundle.
      const moved = await pushDecidedAhead(() => gitHere(['update-ref', 'refs/gatos/policies/active', gitHere(['rev-parse', ALICE])]));
      gitHere(['update-ref', 'refs/gatos/policies/active', active]);
      expect(moved.status).not.toBe(0);
      expect(remoteText(moved)).toContain('the active policy bundle cannot be used');
      expect(moved.stderr).not.toContain('the decision made ahead');
      // A setting that names the pusher from a variable no push sets: nobody is the pusher now.
      const unnamed = await pushDecidedAhead(() => gitHere(['config', 'gatos.actorEnv', 'GATOS_NOBODY']));
      gitHere(['config', '--unset', 'gatos.actorEnv']);
      expect(unnamed.status).not.toBe(0);
      expect(unnamed.stderr).not.toContain('the decision made ahead');
      expect(await ahead('discarded')).toBeGreaterThanOrEqual(discardedBefore + 2);
    } finally {
      writeFileSync(path.join(hooks, 'pre-receive'), stub, { mode: 0o755 });
      rmSync(path.join(hooks, 'pre-receive.gatos-test'), { force: true });
      releaseHeld(go);
      rmSync(go, { force: true });
      gitHere(['update-ref', 'refs/gatos/policies/active', active]);
    }
  });

  // Decisions 0065 and 0066: where any git process that wakes preempts the daemon (by default, on its long time slice;
  // under --sched idle, SCHED_IDLE), the daemon, having decided a push ahead, polls the request FIFOs for up to 5 ms
  // instead of sleeping; what it reads there is served as the FIFO's own reads would serve it. Under --sched plain it
  // never waits: on the kernel's slice the wait would take the CPU from the push's own git processes.
  const modes = [
    { name: 'by default (on a long time slice)', options: [], can: CUSTOM_SLICES, why: NO_CUSTOM_SLICES_WHY, holds: (pid: number) => slicesOf(pid).every((ns) => ns === longSlice()), info: () => ({ sched: 'normal', policy: 'normal', slice_ns: String(longSlice()), waits: 'true' }) },
    { name: 'under --sched idle', options: ['--sched', 'idle'], can: required('chrt', commandRuns('chrt', ['--version']), 'util-linux'), why: 'no chrt', holds: (pid: number) => [...(threadPolicies(pid)?.values() ?? [])].every((p) => p === SCHED_IDLE), info: () => ({ sched: 'idle', policy: 'idle', slice_ns: '', waits: 'true' }) },
  ];
  for (const mode of modes) {
    testIf(mode.can, mode.why)(`${mode.name} waits on the CPU for the request of a push it decided ahead, and decides it as the cold hook does`, async () => {
      const own = await serve([waiting], mode.options);
      try {
        expect(mode.holds(own.proc.pid as number)).toBe(true);
        // /metrics says how it runs.
        expect(metric(await metricsOf(own), 'gatos_daemon_scheduling_info', mode.info())).toBe(1);
        // It tells the hooks it waits (they then check longer before forking a watcher).
        expect(existsSync(path.join(waiting, 'gatos', 'daemon', 'waits'))).toBe(true);
        const taken = async () => metric(await metricsOf(own), 'gatos_request_waits_total', { repo: waiting, outcome: 'taken' });
        // A push is decided ahead once the daemon knows this client's pushes, and its request comes within the wait
        // unless the machine is very busy (a SCHED_IDLE daemon may then not even take it, and the push is decided
        // cold): pushed until a wait took a request, each push decided as the cold hook decides it.
        let byDaemon = 0;
        for (let i = 0; i < 20 && (await taken()) === 0; i++) {
          const r = eventPush('alice', waiting);
          expect(r.status).toBe(0);
          if (DECIDED.test(r.stderr)) byDaemon++;
          expect(remoteText(r)).toBe(remoteText(w.git(clients.alice as string, ['push', coldRepo, ALICE], { ...w.transport.env('user:alice'), ...trace })));
        }
        expect(await taken()).toBeGreaterThan(0);
        expect(byDaemon).toBeGreaterThan(0);
        const refused = eventPush('bob', waiting);
        expect(refused.status).not.toBe(0);
        expect(remoteText(refused)).toBe(remoteText(w.git(clients.bob as string, ['push', coldRepo, BOB], { ...w.transport.env('user:bob'), ...trace })));
      } finally {
        await stopped(own.proc, 'SIGTERM');
      }
      // Stopped, it says nothing any more.
      expect(existsSync(path.join(waiting, 'gatos', 'daemon', 'waits'))).toBe(false);
    });
  }

  testIf(CUSTOM_SLICES, NO_CUSTOM_SLICES_WHY)('gatos doctor finds the daemon of a repository and says how it is scheduled', () => {
    const r = spawnSync(process.execPath, [CLI, 'doctor', '--repo', w.gitDir, '--json'], { env: w.env(), encoding: 'utf8' });
    const checks = (JSON.parse(r.stdout) as { checks: { id: string; status: string; message: string }[] }).checks;
    const d = checks.find((c) => c.id === 'daemon');
    expect(d?.status).toBe('pass');
    expect(d?.message).toContain(`the daemon (pid ${daemon.proc.pid as number}) answers`);
    expect(d?.message).toContain(`--sched normal: a ${(longSlice() / 1e6).toFixed(2)} ms time slice, waiting on the CPU for requests it decided ahead`);
  });

  it('under --sched plain never waits for a request on the CPU', async () => {
    const own = await serve([waiting], ['--sched', 'plain']);
    try {
      const policies = threadPolicies(own.proc.pid as number);
      expect(policies && [...policies.values()].every((p) => p !== SCHED_IDLE)).toBe(true);
      expect(existsSync(path.join(waiting, 'gatos', 'daemon', 'waits'))).toBe(false);
      expect(metric(await metricsOf(own), 'gatos_daemon_scheduling_info', { sched: 'plain', policy: 'normal', slice_ns: '', waits: 'false' })).toBe(1);
      const made = async () => metric(await metricsOf(own), 'gatos_decisions_ahead_total', { repo: waiting, result: 'made' });
      for (let i = 0; i < 20 && (await made()) === 0; i++) {
        const r = eventPush('alice', waiting);
        expect(r.status).toBe(0);
        expect(r.stderr).toMatch(DECIDED);
      }
      expect(await made()).toBeGreaterThan(0);
      expect(await metricsOf(own)).not.toContain('gatos_request_waits_total{');
    } finally {
      await stopped(own.proc, 'SIGTERM');
    }
  });

  /** gatos_decisions_ahead_total of a served repository, by result. */
  const aheadCount = async (repo: string, result: string) => metric(await metrics(), 'gatos_decisions_ahead_total', { repo, result });
  /** Writes an object into a quarantine of `repo` as receive-pack's unpack does (git writes it there); its id. */
  const unpackInto = (repo: string, quarantine: string, type: string, body: Buffer | string): string => {
    const objects = path.join(repo, 'objects');
    mkdirSync(path.join(quarantine, 'pack'), { recursive: true });
    const wrote = spawnSync('git', ['--git-dir', repo, 'hash-object', '-w', '-t', type, '--stdin'], { input: body, env: w.env({ GIT_OBJECT_DIRECTORY: quarantine, GIT_ALTERNATE_OBJECT_DIRECTORIES: objects }), encoding: 'utf8' });
    if (wrote.status !== 0) throw new Error(wrote.stderr);
    return wrote.stdout.trim();
  };
  /** Waits until `done` holds, polling the daemon's metrics. */
  const until = async (what: string, done: () => Promise<boolean>): Promise<void> => {
    for (let i = 0; !(await done()); i++) {
      if (i > 400) throw new Error(`the daemon did not: ${what}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  };

  // Eighth attack pass (docs/security.md, 8.2): the daemon reads a quarantine again after each pause in git's writes
  // and decided the push ahead after every read. git unpacks a small push as its bytes arrive, so a pusher sending its
  // pack slowly made the daemon decide the push once per pause, each decision verifying every event written so far
  // (and, with no bound, all at once). Here the test writes a quarantine as receive-pack's unpack does (git
  // hash-object into it), one event at a time, and waits after each until the daemon has guessed it.
  it('a quarantine written slowly is decided ahead at most twice, however often its writes pause', async () => {
    const dir = clients.alice as string;
    // A push of alice's teaches the daemon her pushes: the next extends her journal from where it is now.
    expect(eventPush('alice', third).status).toBe(0);
    const base = w.git(dir, ['rev-parse', ALICE]).stdout.trim();
    const quarantine = path.join(third, 'objects', 'tmp_objdir-incoming-slow');
    /** Every push the daemon guessed in this repository: decided ahead, skipped, or abandoned undecided. */
    const guessed = async () => (await aheadCount(third, 'made')) + (await aheadCount(third, 'skipped')) + (await aheadCount(third, 'abandoned'));
    const made0 = await aheadCount(third, 'made');
    const skipped0 = await aheadCount(third, 'skipped');
    const unpack = (type: string, id: string): void => {
      expect(unpackInto(third, quarantine, type, spawnSync('git', ['-C', dir, 'cat-file', type, id], { env: w.env() }).stdout)).toBe(id);
    };
    try {
      for (let n = 0; n < 3; n++) {
        w.addEvent(dir, 'user:alice', 'finance');
        const rev = (what: string) => w.git(dir, ['rev-parse', what]).stdout.trim();
        const seen = await guessed();
        unpack('blob', rev(`${ALICE}:event.cbor`));
        unpack('tree', rev(`${ALICE}^{tree}`));
        unpack('commit', rev(ALICE));
        await until(`guess the push after event ${n + 1}`, async () => (await guessed()) > seen);
      }
      expect((await aheadCount(third, 'made')) - made0).toBeLessThanOrEqual(2);
      expect((await aheadCount(third, 'skipped')) - skipped0).toBeGreaterThanOrEqual(1);
    } finally {
      rmSync(quarantine, { recursive: true, force: true });
      // Nobody pushed these events: the tests after this one go on from the server's tip.
      w.git(dir, ['update-ref', ALICE, base]);
    }
  });

  // Eighth attack pass (docs/security.md, 8.3): a decision made ahead read a pushed object as the request's decision
  // does, inflating up to 16 MiB of it (a 16 KB file of zeros); with a decision made ahead and one at the request that
  // cost the daemon's one thread twice per object. A decision made ahead now reads only what the daemon's object cache
  // keeps (64 KiB): anything larger needs git's cat-file, which it never starts, and it ends undecided at once.
  it('a pushed object larger than the daemon keeps ends a decision made ahead undecided at its first read', async () => {
    const objects = path.join(w.gitDir, 'objects');
    // A push of alice's: the daemon's settings and bundle are warm, and the next push is guessed from hers.
    expect(eventPush('alice', w.gitDir).status).toBe(0);
    const base = w.git(w.root, ['--git-dir', w.gitDir, 'rev-parse', ALICE]).stdout.trim();
    const quarantine = path.join(objects, 'tmp_objdir-incoming-big');
    const abandoned0 = await aheadCount(w.gitDir, 'abandoned');
    try {
      const blob = unpackInto(w.gitDir, quarantine, 'blob', Buffer.alloc(4 << 20));
      const tree = spawnSync('git', ['--git-dir', w.gitDir, 'mktree'], { input: `100644 blob ${blob}\tevent.cbor\n`, env: w.env({ GIT_OBJECT_DIRECTORY: quarantine, GIT_ALTERNATE_OBJECT_DIRECTORIES: objects }), encoding: 'utf8' }).stdout.trim();
      unpackInto(w.gitDir, quarantine, 'commit', `tree ${tree}\nparent ${base}\nauthor A <a@example.test> 1700000000 +0000\ncommitter A <a@example.test> 1700000000 +0000\n\nan event of zeros\n`);
      // (Decided in full, as before, it was made: a refusal of the undecodable event, never abandoned.)
      await until('abandon the decision made ahead', async () => (await aheadCount(w.gitDir, 'abandoned')) > abandoned0);
    } finally {
      rmSync(quarantine, { recursive: true, force: true });
    }
  });

  // Eighth attack pass (docs/security.md, 8.4): git names a push's quarantine by the repository's real path; a daemon
  // serving it through a symlinked folder kept its decisions made ahead under the other name, so no request ever found
  // one: every push was decided twice, and as none was ever discarded, the sampling that bounds wasted guesses never
  // began. Here a test-only pre-receive holds the push until the daemon decided it ahead (as the test above does).
  it('a repository served through a symlinked folder finds the decisions made ahead for its pushes', async () => {
    const hooks = path.join(second, 'hooks');
    const count = async (result: string) => metric(await metrics(), 'gatos_decisions_ahead_total', { repo: second, result });
    const go = path.join(w.root, 'ahead-go-second');
    const stub = readFileSync(path.join(hooks, 'pre-receive'));
    const dir = clients.alice as string;
    // A push of alice's teaches the daemon her pushes to this repository.
    expect(eventPush('alice', second).status).toBe(0);
    spawnSync('mkfifo', [go]);
    writeFileSync(path.join(hooks, 'pre-receive.gatos-test'), stub, { mode: 0o755 });
    writeFileSync(path.join(hooks, 'pre-receive'), `#!/bin/sh\nread -r go < '${go}'\nexec sh "\${0%/*}/pre-receive.gatos-test"\n`, { mode: 0o755 });
    try {
      // On a loaded machine a guess can be abandoned (its time budget ran out) or skipped: that push then goes through
      // undecided ahead, and the next one is tried (at most three); what is checked is that a decision made ahead is found.
      const others = async (): Promise<number> => (await count('abandoned')) + (await count('skipped'));
      let found = false;
      for (let attempt = 0; attempt < 3 && !found; attempt++) {
        const looked = (await count('used')) + (await count('discarded'));
        const made = await count('made');
        const missed = await others();
        w.addEvent(dir, 'user:alice', 'finance');
        const push = pushAsync(w, dir, 'user:alice', [ALICE], trace, second);
        // A guess given up may be one of several for this push (another read of its quarantine): a second for `made`.
        for (let i = 0, gaveUp = -1; (await count('made')) === made && (gaveUp < 0 || i - gaveUp < 40); i++) {
          if (i > 400) throw new Error('the daemon neither decided the push ahead nor gave it up');
          if (gaveUp < 0 && (await others()) !== missed) gaveUp = i;
          await new Promise((r) => setTimeout(r, 25));
        }
        found = (await count('made')) > made;
        writeFileSync(go, 'go\n');
        expect((await push).status).toBe(0);
        // Used, or discarded when the request came in the next second: either way the request found it.
        if (found) expect((await count('used')) + (await count('discarded'))).toBe(looked + 1);
      }
      expect(found).toBe(true);
    } finally {
      writeFileSync(path.join(hooks, 'pre-receive'), stub, { mode: 0o755 });
      rmSync(path.join(hooks, 'pre-receive.gatos-test'), { force: true });
      releaseHeld(go);
      rmSync(go, { force: true });
    }
  });

  it('a daemon that dies while a push waits for its verdict leaves the push to the cold hook', async () => {
    const dir = path.join(w.gitDir, 'gatos', 'daemon');
    // Stopped, the daemon cannot answer; killed once the hook client has made its reply FIFO and is sending.
    daemon.proc.kill('SIGSTOP');
    w.addEvent(clients.bob as string, 'user:bob', 'finance');
    const pushing = pushAsync(w, clients.bob as string, 'user:bob', [BOB], { ...trace, GATOS_DAEMON_ACCEPT_MS: '600000' });
    const clientDir = (): boolean => readdirSync(dir).some((n) => n.startsWith('r.') || n.startsWith('c.'));
    while (!clientDir()) await new Promise((r) => setTimeout(r, 20));
    await stopped(daemon.proc, 'SIGKILL');
    const r = await pushing;
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('the daemon stopped before its verdict; deciding without the daemon');
    expect(remoteText(r)).toContain('DENIED');
    // The FIFO and pid file the killed daemon left: stale, so the next push is decided cold too.
    const stale = eventPush('alice', w.gitDir);
    expect(stale.status).toBe(0);
    expect(stale.stderr).toContain('no daemon runs as pid');
    expect(stale.stderr).not.toMatch(DECIDED);
  });

  it('a restarted daemon decides eight clients pushing at once', async () => {
    daemon = await serve([w.gitDir, second]);
    // A verdict record a dead push left 11 minutes ago: the restarted daemon's first accepted push prunes it (after
    // its reply; later ones skip the clean-up for a few seconds, decision 0054).
    const stale = path.join(w.gitDir, 'gatos', 'verdicts', 'left-by-a-dead-push');
    mkdirSync(stale, { recursive: true });
    writeFileSync(path.join(stale, 'v4.x'), 'old');
    const past = new Date(Date.now() - 660_000);
    utimesSync(path.join(stale, 'v4.x'), past, past);
    utimesSync(stale, past, past);
    w.addEvent(clients.alice as string, 'user:alice', 'finance');
    w.addEvent(clients.bob as string, 'user:bob', 'finance');
    // Five more pushes of alice's, each to a journal of its own namespace: eight decisions in flight together.
    const more = ['ops1', 'ops2', 'ops3', 'ops4', 'ops5'];
    for (const ns of more) w.addEvent(clients.alice as string, 'user:alice', ns);
    const env = (a: string) => ({ ...w.transport.env(a), ...trace });
    const runs = await Promise.all([
      pushAsync(w, clients.alice as string, 'user:alice', [ALICE], env('user:alice')),
      pushAsync(w, clients.bob as string, 'user:bob', [BOB], env('user:bob')),
      new Promise<Run>((resolve) => {
        const p = spawn('git', ['push', second, ALICE], { cwd: clients.alice as string, env: w.env(env('user:alice')) });
        let stderr = '';
        p.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
        p.once('close', (status) => resolve({ status, stdout: '', stderr }));
      }),
      ...more.map((ns) => pushAsync(w, clients.alice as string, 'user:alice', [`refs/gatos/journal/${ns}/user/alice`], env('user:alice'))),
    ]);
    for (const r of runs) expect(r.stderr).toMatch(DECIDED);
    expect(runs.map((r) => r.status === 0)).toEqual([true, false, true, true, true, true, true, true]);
    for (const ns of more) expect(w.git(w.root, ['--git-dir', w.gitDir, 'rev-parse', '--verify', '-q', `refs/gatos/journal/${ns}/user/alice`]).status).toBe(0);
    // The restarted daemon counts the two cold decisions of the previous test from the decision log; the update
    // hook, finding the verdict records the daemon left, decided nothing itself (or it would count as cold too).
    const m = await metrics();
    expect(existsSync(stale)).toBe(false);
    expect(metric(m, 'gatos_cold_decisions_total', { repo: w.gitDir })).toBe(2);
    expect(metric(m, 'gatos_cold_decisions_total', { repo: second })).toBe(0);
    expect(metric(m, 'gatos_decisions_total', { repo: w.gitDir, outcome: 'allowed' })).toBe(7);
    expect(metric(m, 'gatos_decisions_total', { repo: w.gitDir, outcome: 'denied', code: 'POLICY_DENY' })).toBe(2);
    expect(metric(m, 'gatos_decisions_total', { repo: second, outcome: 'allowed' })).toBe(1);
  });

  it('a pid file naming another user\'s process, or a daemon answering for another push, is not trusted', async () => {
    const dir = path.join(w.gitDir, 'gatos', 'daemon');
    await stopped(daemon.proc, 'SIGTERM');
    // Another user's process: root runs one as nobody; anyone else finds pid 1 (root's init).
    const other = process.getuid?.() === 0 ? spawn('sleep', ['60'], { uid: 65534, gid: 65534, stdio: 'ignore' }) : undefined;
    const pid = other?.pid ?? 1;
    try {
      spawnSync('mkfifo', ['-m', '600', path.join(dir, 'requests')]);
      let start: string | undefined;
      while ((start = startTimeOfStat(readFileSync(`/proc/${pid}/stat`, 'utf8'))) === undefined) await new Promise((r) => setTimeout(r, 20));
      // Even holding a descriptor that names the request FIFO in this process (pid 1 or nobody's has none).
      writeFileSync(path.join(dir, 'pid'), `gatos-daemon-2 ${pid} ${start} 0\n`, { mode: 0o600 });
      const r = eventPush('bob', w.gitDir);
      expect(r.status).not.toBe(0);
      expect(r.stderr).toContain(`no daemon runs as pid ${pid}; deciding without the daemon`);
    } finally {
      other?.kill('SIGKILL');
    }
    // A fake daemon (this process) that accepts every request and answers "allowed" with another nonce.
    const me = startTimeOfStat(readFileSync('/proc/self/stat', 'utf8'));
    const fd = openSync(path.join(dir, 'requests'), constants.O_RDWR | constants.O_NONBLOCK);
    // A pid file whose descriptor is not the request FIFO in that process: no daemon.
    writeFileSync(path.join(dir, 'pid'), `gatos-daemon-2 ${process.pid} ${me ?? ''} ${fd + 1000}\n`, { mode: 0o600 });
    const notHeld = eventPush('bob', w.gitDir);
    expect(notHeld.status).not.toBe(0);
    expect(notHeld.stderr).toContain(`no daemon runs as pid ${process.pid}; deciding without the daemon`);
    writeFileSync(path.join(dir, 'pid'), `gatos-daemon-2 ${process.pid} ${me ?? ''} ${fd}\n`, { mode: 0o600 });
    const sock = new net.Socket({ fd, readable: true, writable: false });
    const magics: string[] = [];
    sock.on('data', (b: Buffer) => {
      // An inline request: under receive-pack (stdin a pipe) gatos-push-3, whose reply goes into the client's
      // stdin, accepted by removing the marker daemon/r.<nonce>; else gatos-push-2 and the FIFO daemon/r.<nonce>.
      const [magic = '', nonce = '', pid = ''] = b.toString().trim().split(' ');
      magics.push(magic);
      const marker = path.join(dir, `r.${nonce}`);
      const channel = magic === 'gatos-push-3' ? `/proc/${pid}/fd/0` : marker;
      const reply = new net.Socket({ fd: openSync(channel, constants.O_WRONLY | constants.O_NONBLOCK), readable: false, writable: true });
      rmSync(marker);
      reply.end(`x ${'0'.repeat(32)} 0\n`);
    });
    try {
      const r = await pushAsync(w, clients.bob as string, 'user:bob', [BOB], { ...trace });
      expect(r.status).not.toBe(0);
      expect(r.stderr).toContain('the daemon\'s answer is not for this push; deciding without the daemon');
      expect(remoteText(r)).toContain('DENIED');
      expect(magics).toEqual(['gatos-push-3']);
      // A host that hands the hook its update lines in a file, not a pipe: the reply comes on a FIFO of the
      // client's (gatos-push-2). Run as a host would run it; the wrong nonce sends it cold, which refuses a
      // ref the server does not know how to move (its old id is no commit).
      const lines = path.join(w.root, 'update-lines');
      writeFileSync(lines, `${'1'.repeat(40)} ${'2'.repeat(40)} ${BOB}\n`);
      const fd = openSync(lines, constants.O_RDONLY);
      const direct = await new Promise<Run>((resolve) => {
        const p = spawn(path.join(w.gitDir, 'hooks', 'pre-receive'), [], { cwd: w.gitDir, env: w.env({ GIT_DIR: '.', GATOS_TRACE: '1' }), stdio: [fd, 'pipe', 'pipe'] });
        let stderr = '';
        p.stderr?.on('data', (x: Buffer) => (stderr += x.toString()));
        p.once('close', (status) => resolve({ status, stdout: '', stderr }));
      });
      closeSync(fd);
      expect(magics).toEqual(['gatos-push-3', 'gatos-push-2']);
      expect(direct.stderr).toContain('the daemon\'s answer is not for this push; deciding without the daemon');
      expect(direct.status).not.toBe(0);
    } finally {
      sock.destroy();
      rmSync(path.join(dir, 'requests'), { force: true });
      rmSync(path.join(dir, 'pid'), { force: true });
    }
  });

  it('with the daemon stopped the hook decides cold', () => {
    expect(existsSync(path.join(w.gitDir, 'gatos', 'daemon.json'))).toBe(false);
    const r = eventPush('alice', w.gitDir);
    expect(r.status).toBe(0);
    expect(r.stderr).not.toMatch(DECIDED);
    expect(r.stderr).toMatch(/gatos trace: pre-receive: .*node start-up/);
  });
});
