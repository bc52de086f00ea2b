/**
 * The environment of the operator's chained hook. The hook stubs start the gate's own node without
 * NODE_EXTRA_CA_CERTS (Node 20 reads every certificate it names at start-up, about 40 ms of a cold push,
 * and the gate opens no TLS connection: decision 0067), keeping its value, set or empty, under SAVED_CA_CERTS;
 * the chained hook, which may well open one, gets it back as it was. Pure.
 */
export const SAVED_CA_CERTS = 'GATOS_CHAINED_NODE_EXTRA_CA_CERTS';

export function chainedHookEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  if (!Object.prototype.hasOwnProperty.call(env, SAVED_CA_CERTS)) return env;
  const { [SAVED_CA_CERTS]: saved, ...rest } = env;
  return { ...rest, NODE_EXTRA_CA_CERTS: saved };
}
