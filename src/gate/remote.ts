/**
 * `remote` in policy requests: the network class a push comes from, as the
 * operator names it (docs/gate.md, "Where a push comes from"). It is decided
 * from what the identity adapter learned (pusher.ts transportOf: the
 * transport and the client address sshd or the web server reported) and
 * the gate's settings, first that applies:
 *
 *   1. `gatos.network <class> <cidr>` entries: the class of the most specific
 *      block holding the client address (the first listed among equals);
 *   2. `gatos.remote <class>`: the operator's class for every other push;
 *   3. `local` for a push without a network hop (file://, a local path),
 *      `external` for an ssh or http push no block claims.
 *
 * So with nothing configured no push is `internal`, and a rule such as
 * `remote != 'internal'` holds: fail closed. Pure.
 */
import { ipInCidr, parseCidr, parseIp, type Cidr } from '../rgs/cidr';
import type { Transport } from './pusher';

export interface NetworkClass {
  readonly name: string;
  readonly block: Cidr;
}

/** A class name: lowercase letters, digits and . _ -, like 'internal' or 'vpn-eu'. */
export const NETWORK_CLASS_RE = /^[a-z0-9][a-z0-9._-]{0,63}$/;
export const LOCAL_REMOTE = 'local';
export const EXTERNAL_REMOTE = 'external';

/** Reads a `gatos.network` value, `<class> <cidr>`; undefined when malformed. */
export function parseNetworkClass(value: string): NetworkClass | undefined {
  const m = /^(\S+)\s+(\S+)$/.exec(value.trim());
  if (!m || !NETWORK_CLASS_RE.test(m[1] as string)) return undefined;
  const c = parseCidr(m[2] as string);
  return c.ok ? { name: m[1] as string, block: c.cidr } : undefined;
}

export function remoteOf(from: { readonly transport: Transport; readonly clientIp?: string }, networks: readonly NetworkClass[], fallback: string | undefined): string {
  const ip = from.clientIp === undefined ? undefined : parseIp(from.clientIp);
  if (ip) {
    let best: NetworkClass | undefined;
    for (const n of networks) if (ipInCidr(ip, n.block) && (best === undefined || n.block.prefix > best.block.prefix)) best = n;
    if (best) return best.name;
  }
  if (fallback !== undefined) return fallback;
  return from.transport === 'file' ? LOCAL_REMOTE : EXTERNAL_REMOTE;
}
