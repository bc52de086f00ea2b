/**
 * Who pushes, and from where. git tells a hook nothing about identity; the
 * host does, through its environment (gitolite GL_USER from an SSH forced
 * command, GitLab GL_USERNAME, web servers REMOTE_USER, or an explicit
 * GATOS_ACTOR). The operator maps those names to GATOS actors. Pure: the
 * adapter passes the environment as a plain record.
 */
import { parseActor, type Actor } from '../actors';
import type { GateConfig } from './config';
import { HOST_PROFILES, noIdentityReason } from './hosts';

export interface Pusher {
  /** The GATOS actor, when the host name maps to one. */
  readonly actor?: Actor;
  /** The host's name for the pusher and the variable it came from, for audit entries. */
  readonly hostName?: string;
  readonly source?: string;
  /** Why no actor could be named (for the refusal text). */
  readonly problem?: string;
}

export type EnvRecord = Readonly<Record<string, string | undefined>>;

export function resolvePusher(env: EnvRecord, config: GateConfig): Pusher {
  for (const name of config.actorEnv) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    const mapped = config.actorMap.get(value);
    if (mapped) {
      const a = parseActor(mapped);
      if (a.ok) return { actor: a.value, hostName: value, source: name };
    }
    const direct = parseActor(value);
    if (direct.ok) return { actor: direct.value, hostName: value, source: name };
    if (config.actorKind) {
      const implied = parseActor(`${config.actorKind}:${value}`);
      if (implied.ok) return { actor: implied.value, hostName: value, source: name };
    }
    return { hostName: value, source: name, problem: `no pusher identity: ${name}=${JSON.stringify(value)} maps to no GATOS actor (map it with gatos.actorMap); see ${HOST_PROFILES[config.host ?? 'plain'].doc}` };
  }
  return { problem: noIdentityReason(config.actorEnv, config.host) };
}

export type Transport = 'ssh' | 'http' | 'file';

/** How the push arrived, from what sshd and CGI servers put in the environment. */
export function transportOf(env: EnvRecord): { transport: Transport; clientIp?: string } {
  const ssh = env.SSH_CONNECTION ?? env.SSH_CLIENT;
  if (ssh) {
    const ip = ssh.split(' ')[0];
    return ip ? { transport: 'ssh', clientIp: ip } : { transport: 'ssh' };
  }
  if (env.GATEWAY_INTERFACE !== undefined || env.REMOTE_ADDR !== undefined) {
    return env.REMOTE_ADDR ? { transport: 'http', clientIp: env.REMOTE_ADDR } : { transport: 'http' };
  }
  // GitLab's Gitaly runs hooks far from sshd and the web server, and says how the push came (docs/hosts/gitlab.md).
  if (env.GL_PROTOCOL === 'ssh') return { transport: 'ssh' };
  if (env.GL_PROTOCOL === 'http' || env.GL_PROTOCOL === 'web') return { transport: 'http' };
  return { transport: 'file' };
}

/** `git push -o` values, which git hands to pre-receive only. */
export function pushOptions(env: EnvRecord): string[] {
  const n = Number(env.GIT_PUSH_OPTION_COUNT ?? '0');
  const out: string[] = [];
  if (!Number.isSafeInteger(n) || n < 0) return out;
  for (let i = 0; i < n; i++) {
    const v = env[`GIT_PUSH_OPTION_${i}`];
    if (v !== undefined) out.push(v);
  }
  return out;
}
