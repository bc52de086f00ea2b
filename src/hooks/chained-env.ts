/**
 * The environment of the operator's chained hook. The hook stubs start the gate's own node without the
 * variables below (decision 0067): NODE_OPTIONS, whose `--require`, `--import` or V8 flags would run code in
 * the gate's process before it decides or change how it runs, and NODE_EXTRA_CA_CERTS, every certificate of
 * which Node 20 reads while it starts, though the gate opens no TLS connection. Each value, set or empty, is
 * kept under `GATOS_CHAINED_<name>`; the chained hook, the operator's own program, gets it back exactly as the
 * push had it, and never the helper variable. Pure.
 */
export const KEPT_FROM_THE_GATE = ['NODE_OPTIONS', 'NODE_EXTRA_CA_CERTS'] as const;

/** The variable the stubs keep `name`'s value in. */
export const savedName = (name: (typeof KEPT_FROM_THE_GATE)[number]): string => `GATOS_CHAINED_${name}`;

export function chainedHookEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const saved = KEPT_FROM_THE_GATE.filter((name) => Object.prototype.hasOwnProperty.call(env, savedName(name)));
  if (saved.length === 0) return env;
  const out: NodeJS.ProcessEnv = { ...env };
  for (const name of saved) {
    out[name] = env[savedName(name)];
    delete out[savedName(name)];
  }
  return out;
}
