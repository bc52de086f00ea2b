/**
 * A real smart-HTTP git server for push tests over http://: lighttpd in the
 * foreground on a free loopback port, basic authentication against an
 * htpasswd file (mod_auth), and git's own CGI `git http-backend` behind it
 * (mod_alias + mod_cgi, GIT_PROJECT_ROOT and GIT_HTTP_EXPORT_ALL from
 * mod_setenv). The web server sets REMOTE_USER to the authenticated name,
 * git http-backend passes it to the hooks: that is how the gate learns who
 * pushes. Clients use the stock git client with the credentials in the URL.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { LOOPBACK, serverAvailable, startServer, type ServerProcess } from '../transports/loopback';
import type { GitRemote } from './sshd';
import { serverPath } from './sshd';
import { tmpDir } from './tmp';

export const LIGHTTPD = '/usr/sbin/lighttpd';
export const HTTP_BACKEND = '/usr/lib/git-core/git-http-backend';
export const HTPASSWD = '/usr/bin/htpasswd';

/** Whether http:// tests can run here (see serverAvailable: skips loudly, fails on CI). */
export function httpAvailable(): boolean {
  return (
    serverAvailable('smart HTTP', LIGHTTPD, 'lighttpd') &&
    serverAvailable('smart HTTP (htpasswd)', HTPASSWD, 'apache2-utils') &&
    serverAvailable('smart HTTP (git http-backend)', HTTP_BACKEND, 'git')
  );
}

export interface HttpGitServer {
  readonly transport: 'http';
  readonly process: ServerProcess;
  /** The remote for `user` (one of the users given at start) and a repository path under the root, e.g. 'demo.git'. */
  remote(user: string, repo: string): GitRemote;
  /** The generated password of `user` (for a credential helper). */
  password(user: string): string;
  /** The same URL without credentials (for a push that must be refused as anonymous). */
  anonymousUrl(repo: string): string;
  /** The lighttpd configuration the server runs with (for docs and failure messages). */
  readonly configFile: string;
  stop(): Promise<void>;
}

export interface HttpGitServerOptions {
  readonly repoRoot: string;
  /** User names (letters, digits, '.', '_', '-'); each gets a generated password. */
  readonly users: readonly string[];
}

const NAME = /^[A-Za-z0-9._-]+$/;

/** lighttpd's config: strings are double-quoted with backslash escapes. */
function q(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

export function lighttpdConfig(o: { port: number; docRoot: string; htpasswd: string; repoRoot: string; home: string; errorLog?: string }): string {
  return [
    `server.document-root = ${q(o.docRoot)}`,
    `server.bind = ${q(LOOPBACK)}`,
    `server.port = ${o.port}`,
    'server.modules = ( "mod_access", "mod_alias", "mod_setenv", "mod_auth", "mod_authn_file", "mod_cgi" )',
    'server.max-read-idle = 30',
    'server.max-write-idle = 60',
    'auth.backend = "htpasswd"',
    `auth.backend.htpasswd.userfile = ${q(o.htpasswd)}`,
    // Everything after /git/ is PATH_INFO for git http-backend: /git/<repo>.git/info/refs, /git-receive-pack, ...
    `alias.url = ( "/git/" => ${q(`${HTTP_BACKEND}/`)} )`,
    '$HTTP["url"] =~ "^/git/" {',
    '  cgi.assign = ( "" => "" )',
    '  auth.require = ( "" => ( "method" => "basic", "realm" => "gatos", "require" => "valid-user" ) )',
    '  setenv.add-environment = (',
    `    "GIT_PROJECT_ROOT" => ${q(o.repoRoot)},`,
    '    "GIT_HTTP_EXPORT_ALL" => "1",',
    `    "PATH" => ${q(serverPath())},`,
    `    "HOME" => ${q(o.home)}`,
    '  )',
    '}',
    '',
  ].join('\n');
}

export async function startHttpGitServer(opts: HttpGitServerOptions): Promise<HttpGitServer> {
  const dir = tmpDir('gatos-httpd-');
  const docRoot = path.join(dir, 'www');
  const home = path.join(dir, 'home');
  mkdirSync(docRoot);
  mkdirSync(home);
  const htpasswd = path.join(dir, 'htpasswd');
  const passwords = new Map<string, string>();
  opts.users.forEach((user, i) => {
    if (!NAME.test(user)) throw new Error(`bad user name ${user}`);
    const password = `pw-${user}-${i}`;
    passwords.set(user, password);
    const r = spawnSync(HTPASSWD, [...(i === 0 ? ['-c'] : []), '-b', htpasswd, user, password], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`htpasswd failed: ${r.stderr}`);
  });

  const configFile = path.join(dir, 'lighttpd.conf');
  const process_ = await startServer({
    name: 'lighttpd',
    command: LIGHTTPD,
    args: () => ['-D', '-f', configFile],
    prepare: (port) => writeFileSync(configFile, lighttpdConfig({ port, docRoot, htpasswd, repoRoot: opts.repoRoot, home })),
    ready: /server started/,
  });
  const base = `${LOOPBACK}:${process_.port}/git`;
  const clientEnv = { GIT_HTTP_LOW_SPEED_LIMIT: '1', GIT_HTTP_LOW_SPEED_TIME: '60' };

  return {
    transport: 'http',
    process: process_,
    configFile,
    remote(user, repo) {
      const password = passwords.get(user);
      if (password === undefined) throw new Error(`no password for ${user}: start the server with it`);
      return { url: `http://${user}:${password}@${base}/${repo}`, env: clientEnv };
    },
    password(user) {
      const password = passwords.get(user);
      if (password === undefined) throw new Error(`no password for ${user}: start the server with it`);
      return password;
    },
    anonymousUrl: (repo) => `http://${base}/${repo}`,
    stop: () => process_.stop(),
  };
}
