/** Set by the CLI's loader (loader.ts) before it runs the bundle: the bundle then starts the command line. */
export const CLI_LOADED = Symbol.for('gatos.cli.loaded');
