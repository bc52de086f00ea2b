/**
 * A real OpenSSH server for push tests over ssh://, set up the way gitolite
 * sets up a host: one system account (the current user), one key per person,
 * and in `authorized_keys` a forced command per key that names the person
 * (`GL_USER`) and runs a wrapper, which validates SSH_ORIGINAL_COMMAND and
 * execs git-receive-pack or git-upload-pack on a repository under the root.
 * The server listens on a free loopback port with its own host key and
 * config (no system config, no PAM); clients use the stock git client with
 * their own key and the host key pinned in a known_hosts file.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LOOPBACK, serverAvailable, startServer, type ServerProcess } from '../transports/loopback';
import { tmpDir } from './tmp';

export const SSHD = '/usr/sbin/sshd';

/** Whether ssh:// tests can run here (see serverAvailable: skips loudly, fails on CI). */
export function sshdAvailable(): boolean {
  return serverAvailable('ssh://', SSHD, 'openssh-server') && serverAvailable('ssh:// client', '/usr/bin/ssh', 'openssh-client');
}

/** Where a client pushes and the environment its git needs for that. */
export interface GitRemote {
  readonly url: string;
  readonly env: Record<string, string>;
}

export interface SshGitServer {
  readonly transport: 'ssh';
  readonly process: ServerProcess;
  /** The remote for `user` (one of the users given at start) and a repository path under the root, e.g. 'demo.git'. */
  remote(user: string, repo: string): GitRemote;
  /** The authorized_keys file the server uses (for docs and failure messages). */
  readonly authorizedKeys: string;
  /** The client's known_hosts file pinning the server's host key. */
  readonly knownHosts: string;
  /** The ssh client command line `user` runs (as GIT_SSH_COMMAND), pinned to `knownHosts` unless told otherwise. */
  sshCommand(user: string, knownHosts?: string): string;
  stop(): Promise<void>;
}

export interface SshGitServerOptions {
  /** Directory holding the bare repositories the server exposes. */
  readonly repoRoot: string;
  /** Host user names (letters, digits, '.', '_', '-'); each gets its own key and forced command with GL_USER=<name>. */
  readonly users: readonly string[];
}

/**
 * The wrapper a forced command runs, as gitolite's gitolite-shell does: only
 * `git-receive-pack '<path>'` and `git-upload-pack '<path>'` pass, the path
 * must be a plain relative name under the root (no '..', no odd characters),
 * and the git command is exec'd so its exit status is the session's.
 */
export const GIT_SERVE_WRAPPER = `#!/bin/sh
# gatos test host: serve git over ssh for a forced command (see test/helpers/sshd.ts)
set -eu
root="$1"
cmd="\${SSH_ORIGINAL_COMMAND:-}"
case "$cmd" in
  "git-receive-pack '"*"'") verb=git-receive-pack ;;
  "git-upload-pack '"*"'") verb=git-upload-pack ;;
  *) echo "gatos-serve: only git push and fetch are served here (got: $cmd)" >&2; exit 1 ;;
esac
repo=\${cmd#"$verb '"}
repo=\${repo%"'"}
repo=\${repo#/}
case "$repo" in
  "" | *..* | *[!A-Za-z0-9._/-]* | /*) echo "gatos-serve: refused repository name: $repo" >&2; exit 1 ;;
esac
[ -d "$root/$repo" ] || { echo "gatos-serve: no such repository: $repo" >&2; exit 1; }
exec "$verb" "$root/$repo"
`;

const NAME = /^[A-Za-z0-9._-]+$/;

function run(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

export function keygen(file: string, comment: string): string {
  run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', file]);
  return readFileSync(`${file}.pub`, 'utf8').trim();
}

function safePath(p: string): string {
  if (!/^[A-Za-z0-9._/:-]+$/.test(p)) throw new Error(`path not usable in authorized_keys: ${p}`);
  return p;
}

/** PATH for the server side: the directory of this node first, so `#!/usr/bin/env node` hooks find it. */
export function serverPath(): string {
  return [path.dirname(process.execPath), '/usr/local/bin', '/usr/bin', '/bin'].join(':');
}

export async function startSshGitServer(opts: SshGitServerOptions): Promise<SshGitServer> {
  const dir = tmpDir('gatos-sshd-');
  const keys = path.join(dir, 'keys');
  mkdirSync(keys, { mode: 0o700 });
  const home = path.join(dir, 'home');
  mkdirSync(home);
  const wrapper = path.join(dir, 'git-serve');
  writeFileSync(wrapper, GIT_SERVE_WRAPPER);
  chmodSync(wrapper, 0o755);

  const authorizedKeys = path.join(dir, 'authorized_keys');
  const lines: string[] = [];
  for (const user of opts.users) {
    if (!NAME.test(user)) throw new Error(`bad user name ${user}`);
    const pub = keygen(path.join(keys, user), `${user}@gatos-test`);
    // `restrict` turns off pty, forwarding and ~/.ssh/rc; the forced command is all the key can do.
    const command = `env GL_USER=${user} HOME=${safePath(home)} PATH=${safePath(serverPath())} ${safePath(wrapper)} ${safePath(opts.repoRoot)}`;
    lines.push(`restrict,command="${command}" ${pub}`);
  }
  writeFileSync(authorizedKeys, lines.join('\n') + '\n', { mode: 0o600 });

  const sshd = await startSshd({ dir, authorizedKeys });
  const process_ = sshd.process;
  const knownHosts = sshd.knownHosts;
  const hostUser = os.userInfo().username;

  return {
    transport: 'ssh',
    process: process_,
    authorizedKeys,
    knownHosts,
    sshCommand,
    remote: (user, repo) => ({
      url: `ssh://${hostUser}@${LOOPBACK}:${process_.port}/${repo}`,
      env: { GIT_SSH_COMMAND: sshCommand(user), GIT_SSH_VARIANT: 'ssh' },
    }),
    stop: () => process_.stop(),
  };

  function sshCommand(user: string, pinned = knownHosts): string {
    if (!opts.users.includes(user)) throw new Error(`no key for ${user}: start the server with it`);
    return sshClientCommand(path.join(keys, user), pinned);
  }
}

/** The stock ssh client, with only this key, the host key pinned, never a prompt (as GIT_SSH_COMMAND). */
export function sshClientCommand(keyFile: string, knownHosts: string): string {
  return [
    'ssh -F /dev/null',
    `-i ${keyFile}`,
    '-o IdentitiesOnly=yes',
    `-o UserKnownHostsFile=${knownHosts}`,
    '-o StrictHostKeyChecking=yes',
    '-o BatchMode=yes',
    '-o ConnectTimeout=10',
    '-o ServerAliveInterval=10',
    '-o ServerAliveCountMax=3',
    '-o LogLevel=ERROR',
  ].join(' ');
}

export interface Sshd {
  readonly process: ServerProcess;
  /** A known_hosts file pinning this server's host key. */
  readonly knownHosts: string;
}

/**
 * OpenSSH on a free loopback port for the current user, with its own host
 * key and config: keys from `authorizedKeys` only, and `setEnv` given to
 * every session (sshd's SetEnv), e.g. HOME for a hosting user's home in a
 * temp dir (gitolite reads its rc and repositories from $HOME).
 */
export async function startSshd(opts: { readonly dir: string; readonly authorizedKeys: string; readonly setEnv?: Readonly<Record<string, string>> }): Promise<Sshd> {
  const hostKey = path.join(opts.dir, 'host_ed25519');
  const hostPub = keygen(hostKey, 'gatos-test-host');
  // sshd started as root needs its privilege separation directory (the Debian service creates it at boot).
  if (process.getuid?.() === 0) mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const config = path.join(opts.dir, 'sshd_config');
  const setEnv = Object.entries(opts.setEnv ?? {}).map(([k, v]) => `${k}=${safePath(v)}`);
  const server = await startServer({
    name: 'sshd',
    command: SSHD,
    args: () => ['-D', '-e', '-f', config],
    prepare: (port) =>
      writeFileSync(
        config,
        [
          `Port ${port}`,
          `ListenAddress ${LOOPBACK}`,
          `HostKey ${hostKey}`,
          'PidFile none',
          `AuthorizedKeysFile ${opts.authorizedKeys}`,
          `AllowUsers ${os.userInfo().username}`,
          'AuthenticationMethods publickey',
          'PubkeyAuthentication yes',
          'PasswordAuthentication no',
          'KbdInteractiveAuthentication no',
          'PermitRootLogin prohibit-password',
          'UsePAM no',
          'StrictModes no',
          'PermitUserEnvironment no',
          'X11Forwarding no',
          'AllowTcpForwarding no',
          'LoginGraceTime 20',
          'ClientAliveInterval 10',
          'ClientAliveCountMax 3',
          'LogLevel VERBOSE',
          ...(setEnv.length > 0 ? [`SetEnv ${setEnv.join(' ')}`] : []),
          '',
        ].join('\n'),
      ),
    ready: /Server listening on 127\.0\.0\.1 port \d+/,
  });
  const knownHosts = path.join(opts.dir, 'known_hosts');
  const [keyType, keyBody] = hostPub.split(' ');
  writeFileSync(knownHosts, `[${LOOPBACK}]:${server.port} ${keyType} ${keyBody}\n`);
  return { process: server, knownHosts };
}
