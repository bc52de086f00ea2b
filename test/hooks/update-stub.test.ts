/**
 * hooks/update is a shell stub: it allows an update without starting Node
 * only when pre-receive's verdict record for exactly (ref, old, new,
 * receive-pack session, the active policy commit: before or after the push)
 * is there, holding exactly one line, the time it was written, at most ten
 * minutes ago; anything else runs the full Node hook, which honours the same
 * record or decides by itself. The stub is run for real (sh, git) against a
 * gated repository, with records written by the gate's own record writer;
 * run from this test, its parent (the "receive-pack") is this process.
 */
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, constants, existsSync, mkdirSync, openSync, statSync, writeSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { recordKey, recordLeaf, recordText, type RefUpdate } from '../../src/gate';
import { receivePackSession, startTimeOfStat, stdinInodeOfFdinfo, updateHookInstalled, uptimeSeconds, writeRecords } from '../../src/hooks/records';
import { GateWorld } from '../helpers/gate-world';
import { liveVerdictRecords } from '../helpers/records';

jest.setTimeout(120_000);

const JOURNAL = 'refs/gatos/journal/finance/user/alice';
const NODE_TRACE = /gatos trace: update: .*node start-up/;
const STUB_TRACE = /the update hook did not start Node/;

describe('the update stub', () => {
  let w: GateWorld;
  let alice: string;
  let policy: string;
  let hooks: string;
  const verdicts = () => path.join(w.gitDir, 'gatos', 'verdicts');
  const revParse = (rev: string) => w.git(w.root, ['--git-dir', w.gitDir, 'rev-parse', rev]).stdout.trim();
  /** An update nobody pushed: the full hook cannot allow it (the new commit does not exist). */
  const bogus = (): RefUpdate => {
    const len = policy.length;
    return { ref: 'refs/gatos/journal/finance/user/alice', oldId: revParse(JOURNAL), newId: 'a'.repeat(len) } as RefUpdate;
  };
  const stub = (args: readonly string[]) =>
    spawnSync('sh', [path.join(hooks, 'update'), ...args], { cwd: w.gitDir, env: { ...w.env({ GATOS_TRACE: '1' }), GIT_DIR: w.gitDir }, encoding: 'utf8' });
  const argsOf = (u: RefUpdate) => [u.ref, u.oldId, u.newId];
  /** The session of this process: the stub's and update.cjs's parent when this test runs them. */
  const mine = () => {
    const s = receivePackSession(process.pid);
    if (!s) throw new Error('no /proc session for this process');
    return s;
  };
  const upNow = (): number => {
    const s = uptimeSeconds();
    if (s === undefined) throw new Error('no /proc/uptime');
    return s;
  };
  const write = (u: RefUpdate, o: { session?: string; before?: string; after?: string } = {}) =>
    writeRecords({ gitDir: w.gitDir, updates: [u], session: o.session ?? mine(), policyBefore: o.before ?? policy, policyAfter: o.after ?? o.before ?? policy, nowMs: Date.now(), uptimeS: upNow() });
  const keyOf = (u: RefUpdate, session: string): string => {
    const k = recordKey(u, session);
    if (k === undefined) throw new Error(`no record name for ${u.ref}`);
    return k;
  };
  /** The file that allows `u` under `commit` (the active policy commit unless named). */
  const fileOf = (u: RefUpdate, commit: string = policy, session: string = mine()): string => path.join(verdicts(), keyOf(u, session), recordLeaf(u, commit) ?? 'no leaf');
  /** Records that could still allow something: a consumed record is emptied, not removed. */
  const liveRecords = (): string[] => liveVerdictRecords(w.gitDir);
  const consumed = (u: RefUpdate): boolean => {
    const f = fileOf(u);
    return !existsSync(f) || readFileSync(f, 'utf8') === '';
  };

  beforeAll(() => {
    w = new GateWorld({ format: 'sha1' }).setup();
    alice = w.client('user:alice');
    w.addEvent(alice, 'user:alice', 'finance');
    expect(w.push(alice, 'user:alice', [JOURNAL]).status).toBe(0);
    policy = revParse('refs/gatos/policies/active');
    hooks = path.join(w.gitDir, 'hooks');
  });

  it('pre-receive writes records only where install recorded an update hook; any doubt writes them', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'gatos-installed-'));
    try {
      expect(updateHookInstalled(w.gitDir)).toBe(true);
      expect(updateHookInstalled(dir)).toBe(true);
      mkdirSync(path.join(dir, 'gatos'));
      const record = (text: string) => writeFileSync(path.join(dir, 'gatos', 'install.json'), text);
      record('{"v":1,"hooks":{"pre-receive":{"chained":false}}}');
      expect(updateHookInstalled(dir)).toBe(false);
      record('{"v":1,"hooks":{"pre-receive":{"chained":false},"update":{"chained":true}}}');
      expect(updateHookInstalled(dir)).toBe(true);
      for (const doubt of ['{"v":1,"hooks":{"pre-', 'null', '[]', '{"v":1}', '{"v":1,"hooks":null}']) {
        record(doubt);
        expect(updateHookInstalled(dir)).toBe(true);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('both stubs open files only through redirections whose failure their own fallback handles', () => {
    // dash exits at once (status 2) when a redirection on `exec` or `:` fails; `command exec` and `true` do not.
    for (const stub of ['pre-receive-stub.sh', 'update-stub.sh']) {
      const lines = readFileSync(path.join(__dirname, '..', '..', 'src', 'hooks', stub), 'utf8').split('\n').filter((l) => !l.trimStart().startsWith('#'));
      const bare = lines.filter((l) => /(^|[;&|]\s*|\bthen\s+)(exec|:)\s+[0-9]*(<>|<|>)\s*[^&\s]/.test(l.trim()) && !/\bcommand exec\b/.test(l));
      expect({ stub, bare }).toEqual({ stub, bare: [] });
    }
    const r = spawnSync('sh', ['-c', 'command exec 4> /nonexistent/dir/x || echo fell back; set -C; true > /dev/null/x || echo again'], { encoding: 'utf8' });
    expect({ status: r.status, stdout: r.stdout }).toEqual({ status: 0, stdout: 'fell back\nagain\n' });
  });

  it('is a shell script beside the Node hook it falls back to', () => {
    expect(readFileSync(path.join(hooks, 'update'), 'utf8').startsWith('#!/bin/sh\n')).toBe(true);
    expect(existsSync(path.join(hooks, 'update.cjs'))).toBe(true);
  });

  it('takes pre-receive\'s record in a real push and starts no Node for update', () => {
    w.addEvent(alice, 'user:alice', 'finance');
    const r = w.git(alice, ['push', 'origin', JOURNAL], { ...w.transport.env('user:alice'), GATOS_TRACE: '1' });
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(STUB_TRACE);
    expect(r.stderr).not.toMatch(NODE_TRACE);
    expect(liveRecords()).toEqual([]);
    // Emptied records do not pile up: once past their grace period (dated back here), the next push's pre-receive
    // removes them, leaving only its own. A concurrent push's record, empty between its creation and its write
    // (and its folder, empty before the file), is younger than that and stays (docs/security.md 6.8).
    const consumed = readdirSync(verdicts());
    expect(consumed.length).toBeGreaterThan(0);
    const past = new Date(Date.now() - 60_000);
    for (const folder of consumed.map((name) => path.join(verdicts(), name))) {
      for (const leaf of readdirSync(folder)) utimesSync(path.join(folder, leaf), past, past);
      utimesSync(folder, past, past);
    }
    const inFlight = path.join(verdicts(), 'in-flight');
    mkdirSync(path.join(inFlight, 'being-written'), { recursive: true });
    writeFileSync(path.join(inFlight, 'v4.empty-yet'), '');
    mkdirSync(path.join(verdicts(), 'just-made'));
    w.addEvent(alice, 'user:alice', 'finance');
    expect(w.git(alice, ['push', 'origin', JOURNAL], w.transport.env('user:alice')).status).toBe(0);
    const left = readdirSync(verdicts());
    for (const name of consumed) expect(left).not.toContain(name);
    expect(left).toEqual(expect.arrayContaining(['in-flight', 'just-made']));
    expect(left).toHaveLength(3);
    expect(readdirSync(inFlight).sort()).toEqual(['being-written', 'v4.empty-yet']);
    rmSync(inFlight, { recursive: true });
    rmSync(path.join(verdicts(), 'just-made'), { recursive: true });
    expect(liveRecords()).toEqual([]);
  });

  // Replay: a push whose pre-receive allowed it but which died before its update hooks ran leaves records behind;
  // the next push of the very same update (another receive-pack) must not ride on them.
  it('a record left by a push that never reached its update hook serves no later push', () => {
    const chained = path.join(hooks, 'pre-receive.gatos-chained');
    const parked = path.join(hooks, 'pre-receive.parked');
    w.addEvent(alice, 'user:alice', 'finance');
    const env = { ...w.transport.env('user:alice'), GATOS_TRACE: '1' };
    writeFileSync(chained, '#!/bin/sh\nexit 1\n', { mode: 0o755 });
    try {
      const first = w.git(alice, ['push', 'origin', JOURNAL], env);
      expect(first.status).not.toBe(0);
      expect(liveRecords()).toHaveLength(1);
    } finally {
      rmSync(chained, { force: true });
    }
    // The same update again, now with the update hook alone: it decides by itself (Node), not on the leftover record.
    renameSync(path.join(hooks, 'pre-receive'), parked);
    try {
      const second = w.git(alice, ['push', 'origin', JOURNAL], env);
      expect(second.stderr).not.toMatch(STUB_TRACE);
      expect(second.stderr).toMatch(NODE_TRACE);
      expect(second.status).toBe(0);
    } finally {
      renameSync(parked, path.join(hooks, 'pre-receive'));
      rmSync(verdicts(), { recursive: true, force: true });
    }
  });

  it('allows on a matching record, consumes it and runs the chained update hook', () => {
    const u = bogus();
    write(u);
    const marker = path.join(w.root, 'chained-ran');
    writeFileSync(path.join(hooks, 'update.gatos-chained'), `#!/bin/sh\necho "$@" > '${marker}'\n`, { mode: 0o755 });
    try {
      const r = stub(argsOf(u));
      expect(r.stderr).toMatch(STUB_TRACE);
      expect(r.status).toBe(0);
      expect(readFileSync(marker, 'utf8')).toBe(`${argsOf(u).join(' ')}\n`);
      expect(consumed(u)).toBe(true);
      // Consumed: the same update again is decided by the full hook, which refuses it.
      const again = stub(argsOf(u));
      expect(again.stderr).toMatch(NODE_TRACE);
      expect(again.status).not.toBe(0);
    } finally {
      rmSync(path.join(hooks, 'update.gatos-chained'), { force: true });
    }
  });

  const refusedByNode = (r: ReturnType<typeof stub>) => {
    expect(r.stderr).not.toMatch(STUB_TRACE);
    expect(r.stderr).toMatch(NODE_TRACE);
    expect(r.status).not.toBe(0);
  };

  it('runs the full hook when the record names another policy commit', () => {
    const u = bogus();
    write(u, { before: revParse(JOURNAL) });
    refusedByNode(stub(argsOf(u)));
  });

  it('allows when the active commit is the one the push makes active (a policy change in the same push)', () => {
    const u = bogus();
    const before = revParse(JOURNAL);
    write(u, { before, after: policy });
    const r = stub(argsOf(u));
    expect(r.stderr).toMatch(STUB_TRACE);
    expect(r.status).toBe(0);
    // One record under two names: taken under one, it allows nothing under the other.
    expect(readFileSync(fileOf(u, before), 'utf8')).toBe('');
    expect(consumed(u)).toBe(true);
  });

  it('runs the full hook for a record of another update of the same ref', () => {
    const u = bogus();
    write(u);
    for (const other of [{ ...u, newId: 'b'.repeat(u.newId.length) }, { ...u, oldId: u.newId }, { ...u, ref: `${u.ref}x` }]) refusedByNode(stub(argsOf(other)));
    expect(consumed(u)).toBe(false);
    rmSync(path.join(verdicts(), keyOf(u, mine())), { recursive: true, force: true });
  });

  // A record left by a push that died before its update hook ran: another receive-pack (another pid, or the same pid
  // with another connection on its stdin, or named by its start time) must not use it.
  // A record left by a push that died before its update hook ran: another receive-pack (another pid, or the same pid
  // with another connection or started at another time) must not use it. This process's session is named by its
  // stdin where that is a pipe or a socket (a jest worker's), else by its start time (jest running in band).
  it('runs the full hook for a record of another receive-pack session (another pid, a reused pid, another boot)', () => {
    const u = bogus();
    const [boot, pid, which] = mine().split('.') as [string, string, string];
    const n = Number(which.replace(/^i/, ''));
    const reused = which.startsWith('i') ? [`${boot}.${pid}.i${n + 1}`, `${boot}.${pid}.${n}`] : [`${boot}.${pid}.${n + 1}`, `${boot}.${pid}.i${n}`];
    for (const session of [`${boot}.${Number(pid) + 1}.${which}`, ...reused, `${boot.replace(/^./, (c) => (c === '0' ? '1' : '0'))}.${pid}.${which}`]) {
      write(u, { session });
      refusedByNode(stub(argsOf(u)));
      rmSync(path.join(verdicts(), keyOf(u, session)), { recursive: true, force: true });
    }
  });

  // As git runs it: a parent whose stdin is its connection (here a socket pair from Node, as sshd and git push give
  // a pipe or a socket), which names the session. A record of the same pid with another connection (a reused pid),
  // or named by the start time, serves nothing; the parent's own record does.
  it('names the session by the parent\'s stdin connection where it is a pipe or a socket', async () => {
    const u = bogus();
    const parent = spawn('sh', ['-c', 'echo $$; while read -r go; do sh "$0" "$@"; echo "end $?" >&2; done', path.join(hooks, 'update'), ...argsOf(u)], {
      cwd: w.gitDir,
      env: { ...w.env({ GATOS_TRACE: '1' }), GIT_DIR: w.gitDir },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    parent.stdout.on('data', (b: Buffer) => (out += b.toString()));
    parent.stderr.on('data', (b: Buffer) => (err += b.toString()));
    const wait = async (what: () => boolean): Promise<void> => {
      while (!what()) await new Promise((r) => setTimeout(r, 10));
    };
    /** One run of the stub under `parent`: its stderr and exit status. */
    const once = async (): Promise<{ stderr: string; status: number }> => {
      err = '';
      parent.stdin.write('go\n');
      await wait(() => /end [0-9]+\n$/.test(err));
      const m = /end ([0-9]+)\n$/.exec(err) as RegExpExecArray;
      return { stderr: err, status: Number(m[1]) };
    };
    try {
      await wait(() => out.includes('\n'));
      const pid = Number(out.trim());
      const session = receivePackSession(pid) as string;
      const [boot, , which] = session.split('.') as [string, string, string];
      expect(which).toMatch(/^i[0-9]+$/);
      const start = startTimeOfStat(readFileSync(`/proc/${pid}/stat`, 'utf8')) as string;
      for (const other of [`${boot}.${pid}.i${Number(which.slice(1)) + 1}`, `${boot}.${pid}.${start}`]) {
        write(u, { session: other });
        const r = await once();
        expect(r.stderr).not.toMatch(STUB_TRACE);
        expect(r.stderr).toMatch(NODE_TRACE);
        expect(r.status).not.toBe(0);
        rmSync(path.join(verdicts(), keyOf(u, other)), { recursive: true, force: true });
      }
      write(u, { session });
      const r = await once();
      expect(r.stderr).toMatch(STUB_TRACE);
      expect(r.status).toBe(0);
    } finally {
      parent.kill('SIGKILL');
      for (const n of readdirSync(verdicts())) rmSync(path.join(verdicts(), n), { recursive: true, force: true });
    }
  });

  it('runs the full hook for a record older than ten minutes, or dated in the future', () => {
    const u = bogus();
    const now = upNow();
    for (const writtenAt of [now - 601, now + 60]) {
      write(u);
      writeFileSync(fileOf(u), recordText(writtenAt));
      refusedByNode(stub(argsOf(u)));
    }
  });

  it('runs the full hook when the record under the right name has other content', () => {
    const u = bogus();
    const t = recordText(upNow());
    for (const text of [t.trimEnd(), `${t}more\n`, `${t}\n`, `${t}x`, ` ${t}`, `-${t}`, `1${'0'.repeat(15)}\n`, 'allowed\n', '\n', '']) {
      write(u);
      writeFileSync(fileOf(u), text);
      refusedByNode(stub(argsOf(u)));
    }
  });

  it('runs the full hook for a record that is a symbolic link, in a linked folder, odd arguments, or no record', () => {
    const u = bogus();
    const real = path.join(w.root, 'elsewhere');
    writeFileSync(real, recordText(upNow()));
    write(u);
    const file = fileOf(u);
    rmSync(file, { force: true });
    symlinkSync(real, file);
    refusedByNode(stub(argsOf(u)));
    rmSync(file, { force: true });
    refusedByNode(stub(argsOf(u)));
    // The record's folder a link to a folder holding a good record.
    write(u);
    const folder = path.dirname(fileOf(u));
    const moved = path.join(w.root, 'elsewhere-folder');
    rmSync(moved, { recursive: true, force: true });
    renameSync(folder, moved);
    symlinkSync(moved, folder);
    refusedByNode(stub(argsOf(u)));
    rmSync(folder, { force: true });
    // Odd arguments never take the fast path (the Node hook then decides, or honours the record for the three it reads).
    for (const args of [[...argsOf(u), 'extra'], [u.ref, u.oldId.toUpperCase(), u.newId.toUpperCase()]]) {
      write(u);
      const r = stub(args);
      expect(r.stderr).not.toMatch(STUB_TRACE);
      expect(r.stderr).toMatch(NODE_TRACE);
    }
    rmSync(path.join(verdicts(), keyOf(u, mine())), { recursive: true, force: true });
  });

  it('the Node update hook honours the same record (its parent is the same receive-pack) and consumes it', () => {
    const u = bogus();
    write(u, { before: revParse(JOURNAL), after: policy });
    const node = () => spawnSync(process.execPath, [path.join(hooks, 'update.cjs'), ...argsOf(u)], { cwd: w.gitDir, env: { ...w.env(), GIT_DIR: w.gitDir }, encoding: 'utf8' });
    const first = node();
    expect(first.stderr).toBe('');
    expect(first.status).toBe(0);
    expect(consumed(u)).toBe(true);
    expect(node().status).not.toBe(0);
  });

  it('reads the active commit from git when the ref is packed, not only from its loose file', () => {
    const u = bogus();
    expect(existsSync(path.join(w.gitDir, 'refs', 'gatos', 'policies', 'active'))).toBe(true);
    expect(spawnSync('git', ['pack-refs', '--all'], { cwd: w.gitDir, env: { ...w.env(), GIT_DIR: w.gitDir } }).status).toBe(0);
    expect(existsSync(path.join(w.gitDir, 'refs', 'gatos', 'policies', 'active'))).toBe(false);
    write(u);
    const r = stub(argsOf(u));
    expect(r.stderr).toMatch(STUB_TRACE);
    expect(r.status).toBe(0);
    // Packed, the record naming another policy commit still sends the update to the full hook.
    write(u, { before: revParse(JOURNAL) });
    refusedByNode(stub(argsOf(u)));
  });

  it('names records by session and ref, one name per ref, none for a ref it could not name safely', () => {
    const s = mine();
    const u = bogus();
    expect(recordKey(u, s)).toBe(`${s}_${u.ref.replaceAll('/', '%')}`);
    expect(recordKey({ ...u, ref: 'refs/heads/a/b' }, s)).not.toBe(recordKey({ ...u, ref: 'refs/heads/a_b' }, s));
    for (const ref of ['refs/heads/a%b', 'refs/heads/.hidden', 'refs/heads/a b', 'HEAD', `refs/heads/${'x'.repeat(240)}`]) expect(recordKey({ ...u, ref }, s)).toBeUndefined();
    expect(recordKey(u, 'not a session')).toBeUndefined();
    // In its folder, a file per policy commit, named by the update's ids and the commit; none for ids that are not plain hex.
    expect(recordLeaf(u, policy)).toBe(`v4.${u.oldId}.${u.newId}.${policy}`);
    for (const odd of ['', 'A'.repeat(40), '1'.repeat(41), '../x', `${'1'.repeat(39)}/`]) {
      expect(recordLeaf({ ...u, oldId: odd }, policy)).toBeUndefined();
      expect(recordLeaf(u, odd)).toBeUndefined();
    }
  });

  it('names a session by the inode of receive-pack\'s stdin, else by the start time after the command name', () => {
    expect(stdinInodeOfFdinfo('pos:\t0\nflags:\t0100000\nmnt_id:\t15\nino:\t30248168\n')).toBe('30248168');
    expect(stdinInodeOfFdinfo('pos:\t0\nflags:\t02\nmnt_id:\t15\n')).toBeUndefined();
    expect(stdinInodeOfFdinfo('pos:\t0\nino:\t12x\n')).toBeUndefined();
    const tail = Array.from({ length: 50 }, (_, i) => String(i + 3)).join(' ');
    expect(startTimeOfStat(`42 (git) ${tail}`)).toBe('22');
    expect(startTimeOfStat(`42 (a) b) c (d) ${tail}`)).toBe('22');
    expect(startTimeOfStat('42 (git) S 1 2')).toBeUndefined();
    expect(startTimeOfStat('no parenthesis')).toBeUndefined();
    expect(mine()).toMatch(new RegExp(`^[0-9a-f-]+\\.${process.pid}\\.i?[0-9]+$`));
  });

  // A host that feeds receive-pack from a named FIFO (a file made by mkfifo): fdinfo shows that file's inode, which
  // every later process reading the FIFO shares, so a dead push's record and a later receive-pack reusing its pid
  // would have the same name. Only an anonymous pipe or socket (`pipe:[n]`, `socket:[n]`) is one connection's.
  // The stub (which cannot tell a named FIFO with builtins) then finds no record under its name, and update.cjs honours
  // the one under the start time.
  it('names a receive-pack fed from a named FIFO by its start time, not by the FIFO file\'s inode', async () => {
    const u = bogus();
    const fifo = path.join(w.root, 'receive-pack-stdin');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const fd = openSync(fifo, constants.O_RDWR);
    const parent = spawn('sh', ['-c', 'echo $$; read -r go; sh "$0" "$@" 2>&1; echo "end $?"', path.join(hooks, 'update'), ...argsOf(u)], {
      cwd: w.gitDir,
      env: { ...w.env({ GATOS_TRACE: '1' }), GIT_DIR: w.gitDir },
      stdio: [fd, 'pipe', 'ignore'],
    });
    let out = '';
    const ended = new Promise<void>((resolve) => parent.stdout?.on('data', (b: Buffer) => (out += b.toString()) && /end [0-9]+\n$/.test(out) && resolve()));
    try {
      await new Promise<void>((resolve) => parent.stdout?.once('data', () => resolve()));
      const pid = Number(out.split('\n', 1)[0]);
      const start = startTimeOfStat(readFileSync(`/proc/${pid}/stat`, 'utf8')) as string;
      expect(statSync(fifo).ino).toBeGreaterThan(0);
      const session = receivePackSession(pid) as string;
      expect(session).toBe(`${readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim()}.${pid}.${start}`);
      write(u, { session });
      writeSync(fd, 'go\n');
      await ended;
      expect(out).not.toMatch(STUB_TRACE);
      expect(out).toMatch(NODE_TRACE);
      expect(out).toMatch(/end 0\n$/);
      expect(readFileSync(fileOf(u, policy, session), 'utf8')).toBe('');
    } finally {
      parent.kill('SIGKILL');
      closeSync(fd);
      rmSync(fifo, { force: true });
      for (const n of readdirSync(verdicts())) rmSync(path.join(verdicts(), n), { recursive: true, force: true });
    }
  });

  // install --hooks pre-receive, then the gate's update hook put in hooks/ by hand (copied from the build, or by a
  // host): install.json names no update hook, yet one runs and needs pre-receive's records (decision 0047).
  it('an update hook of the gate\'s that install did not record still finds pre-receive\'s records', () => {
    const file = path.join(w.gitDir, 'gatos', 'install.json');
    const saved = readFileSync(file, 'utf8');
    const rec = JSON.parse(saved) as { hooks: Record<string, unknown> };
    delete rec.hooks.update;
    writeFileSync(file, JSON.stringify(rec));
    try {
      w.addEvent(alice, 'user:alice', 'finance');
      const r = w.git(alice, ['push', 'origin', JOURNAL], { ...w.transport.env('user:alice'), GATOS_TRACE: '1' });
      expect(r.status).toBe(0);
      expect(r.stderr).toMatch(STUB_TRACE);
      expect(r.stderr).not.toMatch(NODE_TRACE);
      expect(updateHookInstalled(w.gitDir)).toBe(true);
      // An update hook that is not the gate's (gitolite's own, a host's dispatcher) reads no record: none written.
      const mine = path.join(hooks, 'update.parked');
      renameSync(path.join(hooks, 'update'), mine);
      try {
        writeFileSync(path.join(hooks, 'update'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
        expect(updateHookInstalled(w.gitDir)).toBe(false);
      } finally {
        renameSync(mine, path.join(hooks, 'update'));
      }
    } finally {
      writeFileSync(file, saved);
    }
  });
});
