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
import { DEFAULT_NICE, MAX_NICE } from '../../serve/priority';
import { isSched, scheduleDaemon } from '../../serve/schedule';
import { REQUEST_WAIT_MS } from '../../serve/request-wait';
import { parseAddress, startDaemon } from '../../serve/server';
import { CliError, EXIT } from '../errors';

interface ServeArgs {
  repo?: string[];
  'repos-under'?: string[];
  http: string;
  nice: number;
  sched: string;
}

export const DEFAULT_HTTP = '127.0.0.1:9464';

export const serveCommand: CommandModule<object, ServeArgs> = {
  command: 'serve',
  describe: 'Run the warm decision daemon (gatosd) for the pre-receive hooks of bare repositories, with /healthz, /readyz and /metrics',
  builder: (y) =>
    y
      .option('repo', { type: 'string', array: true, describe: 'a bare repository to serve (repeatable)' })
      .option('repos-under', { type: 'string', array: true, describe: 'serve every bare repository under this folder (repeatable; read at start)' })
      .option('http', { type: 'string', default: DEFAULT_HTTP, describe: 'address of /healthz, /readyz and /metrics (host:port; "off": none)' })
      .option('nice', { type: 'number', default: DEFAULT_NICE, describe: `run at least this nice (0-${MAX_NICE}), below the git processes of the pushes it decides ahead of their hooks; 0: the priority it was started with` })
      .option('sched', { type: 'string', default: 'normal', describe: "CPU scheduling: normal (at --nice, with a time slice twice the kernel's on Linux 6.17+, so git's processes preempt it as they wake, and it then waits for a request on the CPU after deciding a push ahead), plain (at --nice with the kernel's slice, never waiting) or idle (Linux SCHED_IDLE, waiting too: faster pushes on a host with CPU to spare, stalled ones on a host whose CPUs are saturated)" }),
  handler: async (args) => {
    if (!Number.isInteger(args.nice) || args.nice < 0 || args.nice > MAX_NICE) throw new CliError('USAGE', `--nice ${String(args.nice)}: expected a whole number from 0 to ${MAX_NICE}`, `the default, ${DEFAULT_NICE}, lets the pushes' own git processes go first (docs/daemon.md); 0 keeps the priority the daemon was started with`);
    if (!isSched(args.sched)) throw new CliError('USAGE', `--sched ${args.sched}: expected normal, plain or idle`, "normal (the default) runs at --nice with a longer time slice than git's; plain at --nice only; idle under SCHED_IDLE, for a host with CPU to spare (docs/daemon.md)");
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
    const scheduled = scheduleDaemon(args.sched, args.nice, log);
    let daemon;
    try {
      daemon = await startDaemon({ repos, ...(http ? { http } : {}), log, requestWaitMs: scheduled.waits ? REQUEST_WAIT_MS : 0, scheduling: scheduled.info });
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
