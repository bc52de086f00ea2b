/**
 * gatos doctor and gatos repair against a real gated repository
 * (install.sh, real pushes, the built CLI), and the decision log the hooks
 * write. The world is built once; broken states are made with plain file
 * operations and git plumbing, checked, and repaired or undone. Three
 * pushes in all.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, symlinkSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { execFile, spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { CLI } from '../helpers/cli';
import { GateWorld } from '../helpers/gate-world';

jest.setTimeout(180_000);

const JOURNAL = 'refs/gatos/journal/finance/user/alice';
const STATE = 'refs/gatos/state/finance';

interface CheckView {
  id: string;
  status: 'pass' | 'warn' | 'fail';
  message: string;
  hint?: string;
}

describe('gatos doctor and repair', () => {
  let w: GateWorld;
  let alice: string;
  const hooks = () => path.join(w.gitDir, 'hooks');
  const server = (args: string[]) => w.git(w.root, ['--git-dir', w.gitDir, ...args]);
  const doctor = (extra: string[] = []) => {
    const r = w.gatos(w.root, ['doctor', '--repo', w.gitDir, '--json', ...extra]);
    const out = JSON.parse(r.stdout) as { status: string; checks: CheckView[] };
    return { status: r.status, worst: out.status, checks: out.checks, not: out.checks.filter((c) => c.status !== 'pass') };
  };
  const daemonFile = () => path.join(w.gitDir, 'gatos', 'daemon.json');
  const byId = (checks: CheckView[], id: string) => checks.find((c) => c.id === id);
  /** Every ref and every object of the repository: what repair must never change. */
  const snapshot = () => `${server(['for-each-ref', '--format=%(objectname) %(refname)']).stdout}\n${server(['cat-file', '--batch-all-objects', '--batch-check']).stdout}`;
  /** A file made `minutes` old. */
  const aged = (file: string, text: string, minutes: number) => {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
    const t = Date.now() / 1000 - minutes * 60;
    utimesSync(file, t, t);
  };

  beforeAll(() => {
    w = new GateWorld({ format: 'sha1' }).setup();
    alice = w.client('user:alice');
    w.addEvent(alice, 'user:alice', 'finance');
    expect(w.push(alice, 'user:alice', [JOURNAL]).status).toBe(0);
    // bob may not write alice's journal: a refused push, audited and logged.
    expect(w.push(alice, 'user:bob', [`${JOURNAL}:refs/gatos/journal/finance/user/bob`]).status).not.toBe(0);
    // A checkpoint of the journal as the server has it, taken into the server without a push (fetch runs no hook).
    expect(w.gatos(alice, ['fold', 'checkpoint', '--ns', 'finance', '--as', 'user:alice']).status).toBe(0);
    expect(server(['fetch', '-q', alice, `${STATE}:${STATE}`]).status).toBe(0);
  });

  test('the hooks log every decision, accepted and refused, one JSON line each', () => {
    const lines = readFileSync(path.join(w.gitDir, 'gatos', 'decisions.log'), 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const pre = lines.filter((l) => l.hook === 'pre-receive');
    expect(pre).toHaveLength(2);
    expect(pre[0]).toMatchObject({ outcome: 'accepted', exit: 0, code: null, via: 'cold', actor: 'user:alice', refs: [JOURNAL], events_verified: 1, budget_exceeded: false, audit: 'none', repo: w.gitDir });
    expect(pre[1]).toMatchObject({ outcome: 'refused', exit: 1, actor: 'user:bob', refs: ['refs/gatos/journal/finance/user/bob'], audit: 'recorded' });
    expect(typeof pre[1]?.code).toBe('string');
    expect(pre[0]?.policy_root).toBe(server(['rev-parse', 'refs/gatos/policies/active']).stdout.trim());
    // Both roots on every line: the fold root is the one the active bundle commit carries in its Fold-Root trailer.
    const foldRoot = server(['log', '-1', '--format=%(trailers:key=Fold-Root,valueonly)', 'refs/gatos/policies/active']).stdout.trim();
    expect(foldRoot).toMatch(/^sha256:[0-9a-f]{64}$/);
    for (const l of pre) expect(l.fold_root).toBe(foldRoot);
    // The seed's resource field: gatos://<repo>/<ns>/<path>, <repo> the bare repository's folder name without .git.
    const repoName = path.basename(w.gitDir).replace(/\.git$/, '');
    expect(pre[0]?.resources).toEqual([`gatos://${repoName}/finance/journal/user/alice`]);
  });

  test('a healthy install: every check passes, exit 0', () => {
    const d = doctor();
    expect(d.not).toEqual([]);
    expect(d.status).toBe(0);
    const ids = d.checks.map((c) => c.id);
    for (const id of ['hook.hooks/pre-receive', 'hook.hooks/update', 'node', 'git', 'settings', 'bundle', 'trust', 'locks', 'audit', `journal.${JOURNAL}`, `checkpoint.${STATE}`, 'code-cache', 'verdict-records', 'decision-log', 'daemon', 'hook-caches']) expect(ids).toContain(id);
    expect(byId(d.checks, 'audit')?.message).toMatch(/1 entries, linear/);
  });

  test('hooks missing, not executable, foreign and of another version, stale locks, records and cache: detected, repaired, healthy again', () => {
    const before = snapshot();
    rmSync(path.join(hooks(), 'update.cjs'));
    chmodSync(path.join(hooks(), 'pre-receive'), 0o644);
    renameSync(path.join(hooks(), 'update'), path.join(w.root, 'update.ours'));
    writeFileSync(path.join(hooks(), 'update'), '#!/bin/sh\n# the host put its own hook here\nexit 0\n', { mode: 0o755 });
    writeFileSync(path.join(hooks(), 'pre-receive.bundle.cjs'), `${readFileSync(path.join(hooks(), 'pre-receive.bundle.cjs'), 'utf8')}\n// an older build\n`);
    aged(path.join(w.gitDir, 'refs', 'gatos', 'audit', 'policy.lock'), '', 60);
    aged(path.join(w.gitDir, 'gatos', 'verdicts', 'f'.repeat(64)), 'gatos-verdict-v2\n', 60);
    // A v4 record (decision 0050): a folder holding a file per policy commit, both an hour old.
    const folder = path.join(w.gitDir, 'gatos', 'verdicts', `${'0'.repeat(8)}.1.i2_refs%heads%main`);
    aged(path.join(folder, `v4.${'1'.repeat(40)}.${'2'.repeat(40)}.${'3'.repeat(40)}`), '1\n', 60);
    utimesSync(folder, Date.now() / 1000 - 3600, Date.now() / 1000 - 3600);
    const cacheDir = path.join(w.gitDir, 'gatos', 'cache');
    const cache = readFileSync(path.join(cacheDir, readdirSync(cacheDir).find((n) => n.endsWith('.v8')) ?? 'none'));
    writeFileSync(path.join(cacheDir, 'pre-receive.bundle.cjs-broken.v8'), cache.subarray(0, cache.length - 7));
    // The cold hooks' settings record cut short, and an object copy that is not the object its name says.
    const settingsRecord = path.join(cacheDir, 'settings');
    expect(existsSync(settingsRecord)).toBe(true);
    writeFileSync(settingsRecord, readFileSync(settingsRecord).subarray(0, 40));
    // The record of the decoded active bundle (decision 0046) cut short too.
    const bundleRecord = path.join(cacheDir, 'active-bundle');
    expect(existsSync(bundleRecord)).toBe(true);
    writeFileSync(bundleRecord, readFileSync(bundleRecord).subarray(0, 100));
    const copies = path.join(cacheDir, 'objects');
    const fan = readdirSync(copies)[0] as string;
    writeFileSync(path.join(copies, fan, `${'0'.repeat(38)}`), readFileSync(path.join(copies, fan, readdirSync(path.join(copies, fan))[0] as string)));

    const d = doctor();
    expect(d.status).toBe(1);
    expect(d.worst).toBe('fail');
    const got = Object.fromEntries(d.not.map((c) => [c.id, [c.status, c.message, c.hint]]));
    expect(got['hook.hooks/update.cjs']).toEqual(['fail', expect.stringMatching(/missing/), expect.stringMatching(/gatos repair/)]);
    expect(got['hook.hooks/pre-receive']).toEqual(['fail', expect.stringMatching(/not executable/), expect.stringMatching(/chmod/)]);
    expect(got['hook.hooks/update']).toEqual(['fail', expect.stringMatching(/not the gate's/), expect.stringMatching(/gatos-chained/)]);
    expect(got['hook.hooks/pre-receive.bundle.cjs']).toEqual(['warn', expect.stringMatching(/not this version's/), expect.stringMatching(/gatos repair/)]);
    expect(got.locks).toEqual(['fail', expect.stringMatching(/refs\/gatos\/audit\/policy\.lock/), expect.stringMatching(/gatos repair/)]);
    expect(got['verdict-records']).toEqual(['warn', expect.stringMatching(/2 verdict records/), expect.stringMatching(/gatos repair/)]);
    expect(got['code-cache']).toEqual(['warn', expect.stringMatching(/broken\.v8/), expect.stringMatching(/gatos repair/)]);
    expect(got['hook-caches']).toEqual(['warn', expect.stringMatching(new RegExp(`gatos/cache/active-bundle, gatos/cache/objects/${fan}/0{38}, gatos/cache/settings$`)), expect.stringMatching(/gatos repair/)]);
    expect(Object.keys(got).sort()).toEqual(['code-cache', 'hook-caches', 'hook.hooks/pre-receive', 'hook.hooks/pre-receive.bundle.cjs', 'hook.hooks/update', 'hook.hooks/update.cjs', 'locks', 'verdict-records']);

    const dry = w.gatos(w.root, ['repair', '--repo', w.gitDir, '--dry-run']);
    expect(dry.status).toBe(0);
    expect(dry.stdout).toMatch(/would remove the stale lock refs\/gatos\/audit\/policy\.lock/);
    expect(dry.stdout).toMatch(/would keep the foreign hooks\/update as hooks\/update\.gatos-chained/);
    expect(doctor().not).toHaveLength(8);

    const r = w.gatos(w.root, ['repair', '--repo', w.gitDir, '--json']);
    expect(r.status).toBe(0);
    const did = (JSON.parse(r.stdout) as { actions: { did: string; failed?: string }[] }).actions;
    expect(did.filter((a) => a.failed)).toEqual([]);
    expect(did.map((a) => a.did).join('\n')).toMatch(/half-written audit append/);
    expect(doctor().not).toEqual([]);
    expect(readFileSync(path.join(hooks(), 'update.gatos-chained'), 'utf8')).toContain('the host put its own hook here');
    expect(readFileSync(path.join(hooks(), 'update'))).toEqual(readFileSync(path.join(w.root, 'update.ours')));
    // Repair wrote no ref and no object: journals, state, policies and the audit trail are as they were.
    expect(snapshot()).toBe(before);
    rmSync(path.join(hooks(), 'update.gatos-chained'));
  });

  test('a broken gitolite update symlink, a bundle that does not verify, a journal with a non-increasing ULID: each fails with its hint', () => {
    const active = server(['rev-parse', 'refs/gatos/policies/active']).stdout.trim();
    const tip = server(['rev-parse', JOURNAL]).stdout.trim();
    // gitolite's update hook is a symlink to ~/.gitolite/hooks/common/update (docs/hosts/gitolite.md), reproduced here: its target is gone.
    expect(server(['config', 'gatos.host', 'gitolite']).status).toBe(0);
    renameSync(path.join(hooks(), 'update'), path.join(w.root, 'update.ours'));
    symlinkSync(path.join(w.root, '.gitolite', 'hooks', 'common', 'update'), path.join(hooks(), 'update'));
    // The active ref moved to a commit that is no bundle.
    expect(server(['update-ref', 'refs/gatos/policies/active', tip]).status).toBe(0);
    // The journal's first event again, on top of itself: the same ULID, not a greater one (git plumbing, no gatos).
    const tree = server(['rev-parse', `${tip}^{tree}`]).stdout.trim();
    const raw = server(['cat-file', 'commit', tip]).stdout;
    const message = raw.slice(raw.indexOf('\n\n') + 2);
    const who = (role: string) => {
      const [, name = '', email = '', date = ''] = new RegExp(`^${role} (.*) <(.*)> (\\d+ [+-]\\d{4})$`, 'm').exec(raw) ?? [];
      const R = role.toUpperCase();
      return { [`GIT_${R}_NAME`]: name, [`GIT_${R}_EMAIL`]: email, [`GIT_${R}_DATE`]: `@${date}` };
    };
    const again = w.git(w.root, ['--git-dir', w.gitDir, 'commit-tree', tree, '-p', tip, '-F', '-'], { ...who('author'), ...who('committer') }, message).stdout.trim();
    expect(server(['update-ref', JOURNAL, again, tip]).status).toBe(0);
    // A daemon file left by a daemon that is gone (the pid of a process that has exited).
    const gone = spawnSync('true').pid;
    writeFileSync(daemonFile(), JSON.stringify({ pid: gone, http: 'http://127.0.0.1:9' }));
    try {
      const d = doctor();
      expect(d.status).toBe(1);
      const got = Object.fromEntries(d.not.map((c) => [c.id, c]));
      expect(got['host.gitolite']).toMatchObject({ status: 'fail', message: expect.stringMatching(/does not exist/), hint: expect.stringMatching(/gitolite setup/) });
      expect(got.bundle).toMatchObject({ status: 'fail', message: expect.stringMatching(/does not verify/) });
      expect(got.bundle?.hint).toBeTruthy();
      expect(got[`journal.${JOURNAL}`]).toMatchObject({ status: 'fail', message: expect.stringMatching(/ULID .* is not after/), hint: expect.stringMatching(/never rewrites journals/) });
      expect(got.daemon).toMatchObject({ status: 'fail', message: expect.stringMatching(new RegExp(`pid ${gone}\\) is not running`)), hint: expect.stringMatching(/gatos serve/) });
      // gitolite's own hook back in place: that check passes.
      mkdirSync(path.join(w.root, '.gitolite', 'hooks', 'common'), { recursive: true });
      writeFileSync(path.join(w.root, '.gitolite', 'hooks', 'common', 'update'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
      expect(byId(doctor().checks, 'host.gitolite')?.status).toBe('pass');
    } finally {
      rmSync(daemonFile());
      server(['update-ref', JOURNAL, tip]);
      server(['update-ref', 'refs/gatos/policies/active', active]);
      server(['config', 'gatos.host', 'plain']);
      unlinkSync(path.join(hooks(), 'update'));
      renameSync(path.join(w.root, 'update.ours'), path.join(hooks(), 'update'));
    }
  });

  test('a grant expiring within --expiry-days and a checkpoint lagging its journal warn (exit 0)', () => {
    w.addEvent(alice, 'user:alice', 'finance');
    expect(w.push(alice, 'user:alice', [JOURNAL]).status).toBe(0);
    const d = doctor(['--expiry-days', '400']);
    expect(d.status).toBe(0);
    expect(d.worst).toBe('warn');
    expect(d.not.map((c) => c.id).sort()).toEqual([`checkpoint.${STATE}`, 'trust']);
    expect(byId(d.checks, 'trust')).toMatchObject({ status: 'warn', message: expect.stringMatching(/expiring within 400 days: user:alice/), hint: expect.stringMatching(/gatos trust grant/) });
    expect(byId(d.checks, `checkpoint.${STATE}`)).toMatchObject({ status: 'warn', message: expect.stringMatching(/lags its journals by 1 event\b/), hint: expect.stringMatching(/gatos fold checkpoint --ns finance/) });
    expect(existsSync(path.join(w.gitDir, 'gatos', 'decisions.log'))).toBe(true);
  });

  test('a daemon that answers /readyz for this repository passes (the daemon reproduced by a loopback HTTP server)', async () => {
    const server = createServer((req, res) => {
      res.writeHead(req.url === '/readyz' ? 200 : 404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ready: true, repos: [w.gitDir] }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    writeFileSync(daemonFile(), JSON.stringify({ pid: process.pid, http: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }));
    try {
      // Run without blocking this process: it serves the HTTP side.
      const r = await promisify(execFile)(process.execPath, [CLI, 'doctor', '--repo', w.gitDir, '--json'], { env: w.env() });
      const checks = (JSON.parse(r.stdout) as { checks: CheckView[] }).checks;
      expect(byId(checks, 'daemon')).toMatchObject({ status: 'pass', message: expect.stringMatching(`pid ${process.pid}`) });
      // Its /metrics answers 404 here: nothing said of its scheduling, and nothing made of that.
      expect(byId(checks, 'daemon')?.message).not.toContain('--sched');
    } finally {
      rmSync(daemonFile());
      server.close();
    }
  });

  test('the daemon check says how the daemon is scheduled, as its /metrics says (reproduced by a loopback HTTP server)', async () => {
    let info = '';
    const server = createServer((req, res) => {
      if (req.url === '/readyz') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ ready: true, repos: [w.gitDir] }));
        return;
      }
      res.writeHead(req.url === '/metrics' ? 200 : 404, { 'content-type': 'text/plain; version=0.0.4' });
      res.end(`# HELP gatos_daemon_scheduling_info How the daemon was scheduled at start\n# TYPE gatos_daemon_scheduling_info gauge\n${info}\n`);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    writeFileSync(daemonFile(), JSON.stringify({ pid: process.pid, http: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }));
    const daemonMessage = async (): Promise<string> => {
      const r = await promisify(execFile)(process.execPath, [CLI, 'doctor', '--repo', w.gitDir, '--json'], { env: w.env() });
      const got = byId((JSON.parse(r.stdout) as { checks: CheckView[] }).checks, 'daemon');
      expect(got?.status).toBe('pass');
      return got?.message ?? '';
    };
    try {
      info = 'gatos_daemon_scheduling_info{sched="normal",policy="normal",slice_ns="2800000",waits="true"} 1';
      expect(await daemonMessage()).toContain('--sched normal: a 2.80 ms time slice, waiting on the CPU for requests it decided ahead');
      info = 'gatos_daemon_scheduling_info{sched="normal",policy="normal",slice_ns="",waits="false"} 1';
      expect(await daemonMessage()).toContain("--sched normal: the kernel's time slice (a longer one could not be set: its log says why), not waiting on the CPU for requests");
      info = 'gatos_daemon_scheduling_info{sched="idle",policy="idle",slice_ns="",waits="true"} 1';
      expect(await daemonMessage()).toContain('--sched idle: SCHED_IDLE, waiting on the CPU for requests it decided ahead');
    } finally {
      rmSync(daemonFile());
      server.close();
    }
  });

  test('a decision log that cannot be written: doctor fails it; an accept still lands with a warning, a refusal is still refused', () => {
    const log = path.join(w.gitDir, 'gatos', 'decisions.log');
    renameSync(log, `${log}.saved`);
    mkdirSync(log);
    try {
      expect(byId(doctor().checks, 'decision-log')).toMatchObject({ status: 'fail', message: expect.stringMatching(/not a regular file/), hint: expect.stringMatching(/regular file/) });
      w.addEvent(alice, 'user:alice', 'finance');
      const ok = w.push(alice, 'user:alice', [JOURNAL]);
      expect(ok.status).toBe(0);
      expect(ok.stderr).toMatch(/WARNING: the decision log could not be written \(the verdict stands\)/);
      const before = server(['rev-parse', JOURNAL]).stdout;
      const refused = w.push(alice, 'user:bob', [`${JOURNAL}:refs/gatos/journal/finance/user/bob`]);
      expect(refused.status).not.toBe(0);
      expect(refused.stderr).toMatch(/DENIED/);
      expect(refused.stderr).toMatch(/decision log could not be written/);
      expect(server(['rev-parse', '--verify', '-q', 'refs/gatos/journal/finance/user/bob']).status).not.toBe(0);
      expect(server(['rev-parse', JOURNAL]).stdout).toBe(before);
    } finally {
      rmSync(log, { recursive: true });
      renameSync(`${log}.saved`, log);
    }
  });
});
