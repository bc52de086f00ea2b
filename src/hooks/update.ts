/**
 * The update hook: one ref, as `update <ref> <old> <new>`. It sees no push
 * options and no push certificate; when pre-receive already allowed this
 * exact update under this exact policy it trusts that record, otherwise it
 * decides itself. Entry point (bundled to hooks/update).
 */
import { checkUpdate } from '../gate';
import { runHook } from './run-hook';

const [ref = '', oldId = '', newId = ''] = process.argv.slice(2);
runHook({
  hook: 'update',
  gitDir: process.env.GIT_DIR ?? '.',
  env: process.env,
  updates: (format) => {
    const u = checkUpdate(format, ref, oldId, newId, 'update hook arguments');
    return u.ok ? { ok: true, value: [u.value] } : u;
  },
  self: process.argv[1],
  args: process.argv.slice(2),
  print: (l) => process.stderr.write(`${l}\n`),
  clockMs: () => Date.now(),
}).then(
  (status) => process.exit(status),
  (e: unknown) => {
    process.stderr.write(`gatos gate: refused: the gate failed: ${e instanceof Error ? e.message : String(e)} [GATE_ERROR]\n`);
    process.exit(2);
  },
);
