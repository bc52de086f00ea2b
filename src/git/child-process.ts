/**
 * node:child_process, loaded when the first process starts: a cold push
 * that starts none (its objects loose, the active bundle and settings from
 * $GIT_DIR/gatos/cache: decision 0042) does not load it, nor the stream and
 * net modules it brings, at every hook's start-up. Adapter (processes).
 */
type ChildProcessModule = typeof import('node:child_process');

/** The module (Node's require keeps it after the first call). */
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const childProcess = (): ChildProcessModule => require('node:child_process') as ChildProcessModule;
