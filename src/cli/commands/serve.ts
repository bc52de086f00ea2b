/**
 * `gatos serve` (also the `gatosd` command): the warm decision daemon for
 * the pre-receive hooks of one or many bare repositories, with /healthz,
 * /readyz and /metrics over HTTP (docs/daemon.md). Runs until SIGTERM or
 * SIGINT; then the hooks decide cold again.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { CommandModule } from 'yargs';
import { isBareRepo, reposUnder } from '../../serve/daemon';
import { parseAddress, startDaemon } from '../../serve/server';
import { CliError, EXIT } from '../errors';

interface ServeArgs {
  repo?: string[];
  'repos-under'?: string[];
  http: string;
}

export const DEFAULT_HTTP = '127.0.0.1:9464';

export const serveCommand: CommandModule<object, ServeArgs> = {
  command: 'serve',
  describe: 'Run the warm decision daemon (gatosd) for the pre-receive hooks of bare repositories, with /healthz, /readyz and /metrics',
  builder: (y) =>
    y
      .option('repo', { type: 'string', array: true, describe: 'a bare repository to serve (repeatable)' })
      .option('repos-under', { type: 'string', array: true, describe: 'serve every bare repository under this folder (repeatable; read at start)' })
      .option('http', { type: 'string', default: DEFAULT_HTTP, describe: 'address of /healthz, /readyz and /metrics (host:port; "off": none)' }),
  handler: async (args) => {
    const named = (args.repo ?? []).map((r) => path.resolve(r));
    for (const r of named) if (!isBareRepo(r)) throw new CliError('NOT_FOUND', `${r} is not a bare git repository`, 'name the repository folder (the one holding HEAD, config, objects/ and refs/)');
    const found = (args['repos-under'] ?? []).flatMap((d) => {
      if (!existsSync(d)) throw new CliError('NOT_FOUND', `${d} does not exist`, 'name the folder holding the bare repositories');
      return reposUnder(d);
    });
    const repos = [...new Set([...named, ...found])];
    if (repos.length === 0) throw new CliError('USAGE', 'no repository to serve', 'give --repo <bare> or --repos-under <dir> (one holding bare repositories)');
    const http = args.http === 'off' ? undefined : parseAddress(args.http);
    if (args.http !== 'off' && !http) throw new CliError('USAGE', `--http ${args.http}: expected host:port (e.g. ${DEFAULT_HTTP}) or off`, 'an IPv6 host goes in brackets: [::1]:9464');
    const log = (line: string): void => void process.stderr.write(`gatos serve: ${line}\n`);
    let daemon;
    try {
      daemon = await startDaemon({ repos, ...(http ? { http } : {}), log });
    } catch (e) {
      throw new CliError('GATE_ERROR', `the daemon cannot start: ${e instanceof Error ? e.message : String(e)}`, 'is another gatos serve running for these repositories, or is the address taken?', EXIT.INTERNAL);
    }
    const a = daemon.address;
    process.stdout.write(`gatos serve: ${repos.length} ${repos.length === 1 ? 'repository' : 'repositories'}${a ? `; http://${a.host.includes(':') ? `[${a.host}]` : a.host}:${a.port}/metrics` : ''}\n`);
    const d = daemon;
    await new Promise<void>((resolve) => {
      const stop = (sig: string): void => {
        log(`${sig}: stopping (the hooks decide without the daemon from now on)`);
        void d.close().then(resolve, resolve);
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
    });
  },
};
