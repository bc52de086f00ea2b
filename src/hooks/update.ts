/**
 * The update hook: one ref, as `update <ref> <old> <new>`. It sees no push
 * options and no push certificate; when pre-receive already allowed this
 * exact update under this exact policy it trusts that record, otherwise it
 * decides itself. Entry point (bundled to hooks/update).
 */
import { checkUpdate } from '../gate';
import { exitWhenDecided } from './exit';
import { hookArgs, hookEnv } from './raw-input';
import { runHook } from './run-hook';
import { serveHookWorker } from '../push/event-pool';
import { isHookWorker } from '../push/worker-env';

// Ref names are bytes: arguments Node decoded lossily are read again (raw-input.ts).
const argv = hookArgs();
const [ref = '', oldId = '', newId = ''] = argv;
const print = (l: string): void => void process.stderr.write(`${l}\n`);
if (isHookWorker()) {
  serveHookWorker();
} else {
  exitWhenDecided(
    () =>
      runHook({
        hook: 'update',
        gitDir: process.env.GIT_DIR ?? '.',
        env: hookEnv(),
        updates: (format) => {
          const u = checkUpdate(format, ref, oldId, newId, 'update hook arguments');
          return u.ok ? { ok: true, value: [u.value] } : u;
        },
        sampleId: oldId,
        self: process.argv[1],
        args: argv,
        print,
        write: (t) => void process.stderr.write(t),
        clockMs: () => Date.now(),
      }),
    print,
  );
}
