/**
 * The hook stubs start the gate's own node without the variables of src/push/gate-node-env.json (decision 0067):
 * NODE_OPTIONS' `--require`, `--import` or V8 flags would run code in the gate's process before it decides, or
 * change how it runs; OPENSSL_CONF loads native code; NODE_EXTRA_CA_CERTS makes Node 20 read every certificate it
 * names while it starts, though the gate opens no TLS connection; and so on (src/hooks/gate-node.sh says why
 * each). Each kept value, set or empty, travels under `GATOS_CHAINED_<name>`. Once the
 * gate's node has started, the loader puts them back, so every process the hook starts (its git commands, and the
 * hooks git runs for them, such as reference-transaction; the operator's chained hook) gets the environment the
 * push had. A value kept by a stub is used only where the variable itself is absent, as a stub leaves it: a hook
 * run without the stubs (a host's own script) keeps its real value, whatever a helper variable claims. The hook's
 * worker threads never get them back (src/push/worker-env.ts).
 * Adapter (the process's environment).
 */
import { KEPT_FROM_THE_GATE } from '../push/worker-env';

/** The variable the stubs keep `name`'s value in. */
export const keptName = (name: string): string => `GATOS_CHAINED_${name}`;

/** Puts the kept values back into `env` (the process's own, in the loader) and removes the helper variables. */
export function restoreHostNodeEnv(env: NodeJS.ProcessEnv): void {
  for (const name of KEPT_FROM_THE_GATE) {
    const kept = keptName(name);
    if (!Object.prototype.hasOwnProperty.call(env, kept)) continue;
    if (!Object.prototype.hasOwnProperty.call(env, name)) env[name] = env[kept];
    delete env[kept];
  }
}
