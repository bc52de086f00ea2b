/**
 * gitolite3 for real (Debian's package), as docs/hosts/gitolite.md tells an
 * operator: the hosting user's home is a temp dir (HOME, as gitolite reads
 * its rc, keys and repositories from there), `gitolite setup -pk` writes the
 * admin key's command= line into that home's ~/.ssh/authorized_keys, and
 * OpenSSH on loopback serves it (AuthorizedKeysFile there, SetEnv HOME).
 * The repository is created through the admin repo; the gate is installed
 * with `./install.sh <repo> --host gitolite`; alice, bob and carol push as
 * gitolite users. See decision 0022.
 */
import { spawnSync } from 'node:child_process';
import { lstatSync, mkdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { INSTALL_SH } from '../helpers/gate-world';
import { CLI } from '../helpers/cli';
import { cleanGitEnv, git, type GitRun } from '../helpers/git';
import { keygen, serverPath, sshClientCommand, sshdAvailable, startSshd, type Sshd } from '../helpers/sshd';
import { tmpDir } from '../helpers/tmp';
import { LOOPBACK, serverAvailable } from '../transports/loopback';

jest.setTimeout(300_000);

const GITOLITE = '/usr/bin/gitolite';
const available = serverAvailable('gitolite', GITOLITE, 'gitolite3') && sshdAvailable();
const USERS = ['admin', 'alice', 'bob', 'carol'] as const;
type User = (typeof USERS)[number];

const CONF = (extra = '') => `repo gitolite-admin
    RW+     =   admin

repo project
    RW+     =   alice
    RW      refs/heads/     =   bob
    R       =   carol
${extra}`;

(available ? describe : describe.skip)('gitolite3 for real (OpenSSH on loopback, two gitolite users pushing through the gate)', () => {
  let root: string;
  let home: string;
  let keys: string;
  let sshd: Sshd;
  let admin: string;
  let bare: string;

  const serverEnv = () => cleanGitEnv({ HOME: home, PATH: serverPath() });
  const url = (repo: string) => `ssh://${os.userInfo().username}@${LOOPBACK}:${sshd.process.port}/${repo}`;
  const as = (user: User): Record<string, string> => ({ GIT_SSH_COMMAND: sshClientCommand(path.join(keys, user), sshd.knownHosts), GIT_SSH_VARIANT: 'ssh' });
  const gitAs = (user: User, cwd: string, args: string[]): GitRun => git(cwd, args, { env: as(user), allowFailure: true });
  const gitolite = (args: string[]) => {
    const r = spawnSync(GITOLITE, args, { cwd: home, env: serverEnv(), encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`gitolite ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
    return r;
  };
  const installSh = (args: string[]) => spawnSync('sh', [INSTALL_SH, ...args], { encoding: 'utf8', env: serverEnv() });
  const auditJson = () => {
    const r = spawnSync(process.execPath, [CLI, 'audit', 'log', '--repo', bare, '--json'], { encoding: 'utf8', env: serverEnv() });
    return r.stdout.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as { entry: { actor: string; actor_source: string; outcome: string } });
  };
  const clone = (user: User): { run: GitRun; dir: string } => {
    const dir = path.join(tmpDir('gatos-gitolite-client-'), user);
    return { run: gitAs(user, path.dirname(dir), ['clone', '-q', url('project'), dir]), dir };
  };
  const commit = (dir: string, msg: string) => git(dir, ['commit', '-q', '--allow-empty', '-m', msg]);
  const pushAdmin = (msg: string) => {
    git(admin, ['add', '-A']);
    git(admin, ['commit', '-q', '-m', msg]);
    const r = gitAs('admin', admin, ['push', '-q', 'origin', 'HEAD:master']);
    if (r.status !== 0) throw new Error(`admin push: ${r.stderr}`);
  };
  /** A push that must succeed, with git's output in the failure message. */
  const pushed = (r: GitRun) => expect({ status: r.status, stderr: r.status === 0 ? '' : r.stderr }).toEqual({ status: 0, stderr: '' });
  const gatePreReceive = () => path.join(bare, 'hooks', 'pre-receive');
  const gateInstalled = () => readFileSync(gatePreReceive(), 'utf8').includes('gatos-gate hook');

  beforeAll(async () => {
    root = tmpDir('gatos-gitolite-');
    home = path.join(root, 'home');
    keys = path.join(root, 'keys');
    mkdirSync(home);
    mkdirSync(keys, { mode: 0o700 });
    for (const u of USERS) keygen(path.join(keys, u), u);
    // `gitolite setup -pk <admin>.pub`: the key file's name is the admin's gitolite name.
    writeFileSync(path.join(root, 'admin.pub'), readFileSync(path.join(keys, 'admin.pub')));
    gitolite(['setup', '-pk', path.join(root, 'admin.pub')]);
    sshd = await startSshd({ dir: root, authorizedKeys: path.join(home, '.ssh', 'authorized_keys'), setEnv: { HOME: home, PATH: serverPath() } });

    // The admin adds the users and the repository through the admin repo.
    admin = path.join(root, 'gitolite-admin');
    const c = gitAs('admin', root, ['clone', '-q', url('gitolite-admin'), admin]);
    if (c.status !== 0) throw new Error(`admin clone: ${c.stderr}`);
    for (const u of ['alice', 'bob', 'carol'] as const) writeFileSync(path.join(admin, 'keydir', `${u}.pub`), readFileSync(path.join(keys, `${u}.pub`)));
    writeFileSync(path.join(admin, 'conf', 'gitolite.conf'), CONF());
    pushAdmin('alice, bob, carol and project');
    bare = path.join(home, 'repositories', 'project.git');
    expect(lstatSync(path.join(bare, 'hooks', 'update')).isSymbolicLink()).toBe(true);
  });

  afterAll(async () => {
    await sshd?.process.stop();
  });

  it('the default install sees gitolite and refuses to replace its update hook; --host gitolite refuses --hooks update too', () => {
    const before = readlinkSync(path.join(bare, 'hooks', 'update'));
    const r = installSh([bare, '--template', 'minimal']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/hooks\/update is gitolite's/);
    expect(r.stderr).toMatch(/--host gitolite/);
    const u = installSh([bare, '--template', 'minimal', '--host', 'gitolite', '--hooks', 'pre-receive,update']);
    expect(u.status).toBe(2);
    expect(u.stderr).toMatch(/gitolite reserves hooks\/update/);
    expect(readlinkSync(path.join(bare, 'hooks', 'update'))).toBe(before);
    expect(spawnSync('git', ['config', '--get', 'gatos.host'], { cwd: bare, env: serverEnv() }).status).toBe(1);
  });

  it('installed with --host gitolite: reads still work, alice and bob push, the gate refuses with the actor from GL_USER, gitolite still refuses what it refuses', () => {
    const inst = installSh([bare, '--template', 'minimal', '--host', 'gitolite']);
    expect(inst.stderr).toMatch(/WARNING: installed WITHOUT --trust/);
    expect(inst.status).toBe(0);
    expect(inst.stdout).toContain('installed hooks/pre-receive');
    expect(inst.stdout).not.toContain('hooks/update');
    expect(inst.stdout).toContain('set gatos.host = gitolite');
    expect(inst.stdout).toContain('set gatos.actorEnv = GL_USER');
    expect(lstatSync(path.join(bare, 'hooks', 'update')).isSymbolicLink()).toBe(true);
    expect(gateInstalled()).toBe(true);

    // Reads: every user gitolite lets read still can (the "unreachable" repository).
    const a = clone('alice');
    expect(a.run.status).toBe(0);
    const b = clone('bob');
    expect(b.run.status).toBe(0);
    const c = clone('carol');
    expect(c.run.status).toBe(0);

    // Accepted: both users push a branch.
    commit(a.dir, 'alice one');
    pushed(gitAs('alice', a.dir, ['push', 'origin', 'HEAD:refs/heads/main']));
    expect(gitAs('bob', b.dir, ['fetch', '-q', 'origin']).status).toBe(0);
    git(b.dir, ['checkout', '-q', '-B', 'work', 'origin/main']);
    commit(b.dir, 'bob one');
    const bp = gitAs('bob', b.dir, ['push', 'origin', 'HEAD:refs/heads/bob']);
    expect(bp.stderr).not.toMatch(/DENIED|refused/);
    expect(bp.status).toBe(0);

    // Refused by the gate, with the actor gitolite named: bob writes into alice's journal.
    const denied = gitAs('bob', b.dir, ['push', 'origin', 'HEAD:refs/gatos/journal/demo/user/alice']);
    expect(denied.status).not.toBe(0);
    expect(denied.stderr).toContain('gatos gate: push refused');
    expect(denied.stderr).toContain('DENIED refs/gatos/journal/demo/user/alice');
    const aliceDenied = gitAs('alice', a.dir, ['push', 'origin', 'HEAD:refs/gatos/audit/policy']);
    expect(aliceDenied.status).not.toBe(0);
    expect(aliceDenied.stderr).toContain('gate/audit-readonly');
    const entries = auditJson().map((e) => e.entry);
    expect(entries.map((e) => [e.actor, e.actor_source, e.outcome])).toEqual([
      ['user:alice', 'GL_USER', 'refused'],
      ['user:bob', 'GL_USER', 'refused'],
    ]);

    // gitolite's own rules: bob may not push tags (the gate would let him), carol may not write at all.
    git(b.dir, ['tag', 'v1']);
    const tag = gitAs('bob', b.dir, ['push', 'origin', 'refs/tags/v1']);
    expect(tag.status).not.toBe(0);
    expect(tag.stderr).toMatch(/W refs\/tags\/v1 project bob DENIED/);
    commit(c.dir, 'carol one');
    const carol = gitAs('carol', c.dir, ['push', 'origin', 'HEAD:refs/heads/carol']);
    expect(carol.status).not.toBe(0);
    expect(carol.stderr).toMatch(/W any project carol DENIED/);
    expect(carol.stderr).not.toContain('gatos gate');
  });

  it('the gate is still installed and deciding after `gitolite setup` and after a change to the admin repo', () => {
    gitolite(['setup']);
    expect(gateInstalled()).toBe(true);
    expect(lstatSync(path.join(bare, 'hooks', 'update')).isSymbolicLink()).toBe(true);

    writeFileSync(path.join(admin, 'conf', 'gitolite.conf'), CONF('repo other\n    RW+     =   alice\n'));
    pushAdmin('another repository');
    expect(gateInstalled()).toBe(true);

    const a = clone('alice');
    expect(a.run.status).toBe(0);
    git(a.dir, ['checkout', '-q', '-B', 'main', 'origin/main']);
    commit(a.dir, 'alice two');
    pushed(gitAs('alice', a.dir, ['push', 'origin', 'HEAD:refs/heads/main']));
    const denied = gitAs('alice', a.dir, ['push', 'origin', 'HEAD:refs/gatos/audit/policy']);
    expect(denied.status).not.toBe(0);
    expect(denied.stderr).toContain('gatos gate: push refused');
    // A second install changes nothing.
    const again = installSh([bare, '--template', 'minimal', '--host', 'gitolite']);
    expect(again.status).toBe(0);
    expect(again.stdout).toMatch(/nothing changed/);
  });
});
