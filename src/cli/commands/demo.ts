/**
 * `gatos demo [--dir <dir>]`: the gate working end to end on this machine.
 * It creates a bare repository, installs the gate with the regulated
 * template (trust: a root and alice, with a grant), then pushes with the
 * stock git client as alice: signed events (accepted) and a force push that
 * rewrites her journal (refused, shown as the client sees it), and prints
 * the audit entry the refusal left. Every step is a command a user could
 * type; nothing reads stdin, so it runs the same under CI. Two notes say
 * what --trust brings and which identity a real host would set in place of
 * GATOS_ACTOR.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { CommandModule } from 'yargs';
import { formatTime } from '../../trust';
import { CliError, EXIT } from '../errors';

interface DemoArgs {
  dir?: string;
  template: string;
}

const JOURNAL = 'refs/gatos/journal/finance/user/alice';

export const demoCommand: CommandModule<object, DemoArgs> = {
  command: 'demo',
  describe: 'Install the gate into a demo bare repository, push an accepted and a refused change, show the audit entry',
  builder: (y) =>
    y
      .option('dir', { type: 'string', describe: 'where to create the demo (default: a new temporary directory)' })
      .option('template', { type: 'string', default: 'regulated', describe: 'the template to install' }),
  handler: (args) => {
    const root = args.dir ? path.resolve(args.dir) : mkdtempSync(path.join(os.tmpdir(), 'gatos-demo-'));
    mkdirSync(root, { recursive: true });
    const self = path.resolve(process.argv[1] ?? __filename);
    const keyDir = path.join(root, 'keys');
    const now = Math.floor(Date.now() / 1000);
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: root,
      LC_ALL: 'C',
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_CONFIG_GLOBAL: '/dev/null',
      GIT_TERMINAL_PROMPT: '0',
      GIT_AUTHOR_NAME: 'Demo',
      GIT_AUTHOR_EMAIL: 'demo@example.invalid',
      GIT_COMMITTER_NAME: 'Demo',
      GIT_COMMITTER_EMAIL: 'demo@example.invalid',
      GATOS_KEY_DIR: keyDir,
    };
    const out = (s: string) => process.stdout.write(`${s}\n`);
    const step = (title: string) => out(`\n== ${title}`);
    const note = (lines: string[]) => out(lines.map((l) => `# ${l}`).join('\n'));
    const run = (cwd: string, cmd: string, argv: string[], opts: { extraEnv?: Record<string, string>; show?: boolean; allowFail?: boolean; quiet?: boolean } = {}) => {
      const shown = cmd === process.execPath ? ['gatos', ...argv.slice(1)] : [cmd, ...argv];
      if (opts.show !== false) out(`$ ${Object.entries(opts.extraEnv ?? {}).map(([k, v]) => `${k}=${v} `).join('')}${shown.join(' ')}`);
      const r = spawnSync(cmd, argv, { cwd, env: { ...env, ...opts.extraEnv }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      const text = `${r.stdout ?? ''}${r.stderr ?? ''}`.trimEnd();
      if (text && !opts.quiet) out(text.split('\n').map((l) => `  ${l}`).join('\n'));
      if (r.status !== 0 && !opts.allowFail) throw new CliError('GATE_ERROR', `demo step failed: ${shown.join(' ')} (exit ${r.status})\n${text}`, `the demo files are in ${root}`, EXIT.INTERNAL);
      return r;
    };
    const gatos = (cwd: string, argv: string[], opts: Parameters<typeof run>[3] = {}) => run(cwd, process.execPath, [self, ...argv], opts);
    const srv = path.join(root, 'server.git');
    const admin = path.join(root, 'admin');
    const alice = path.join(root, 'alice');
    const past = { GATOS_NOW: formatTime(now - 3600) };

    out(`gatos demo in ${root}`);
    step('1. A bare repository on the "server", and an admin workspace with the trust graph');
    run(root, 'git', ['init', '-q', '--bare', srv]);
    run(root, 'git', ['init', '-q', '-b', 'main', admin]);
    gatos(admin, ['init'], { quiet: true });
    gatos(admin, ['key', 'new', '--actor', 'user:root'], { quiet: true });
    gatos(admin, ['key', 'new', '--actor', 'user:alice'], { quiet: true });
    const pub = (a: string) => (JSON.parse(readFileSync(path.join(keyDir, 'user', `${a}.key`), 'utf8')) as { public: string }).public;
    gatos(admin, ['trust', 'add', 'user:root', pub('root'), '--level', '9', '--as', 'user:root'], { extraEnv: past });
    gatos(admin, ['trust', 'add', 'user:alice', pub('alice'), '--level', '1', '--as', 'user:root'], { extraEnv: past });
    gatos(admin, ['trust', 'grant', '--to', 'user:alice', '--caps', 'journal:append', '--exp', formatTime(now + 30 * 86400), '--as', 'user:root'], { extraEnv: past });

    step(`2. Install the gate with the ${args.template} template`);
    note([
      `--trust ${path.join(admin, 'gatos', 'trust')} publishes the trust graph made above (root, alice, her grant)`,
      'with the template as the active policy bundle. Without it the gate knows nobody and refuses every GATOS push:',
      'trust comes first (docs/operators.md, "Bootstrapping trust").',
    ]);
    gatos(root, ['install', srv, '--template', args.template, '--trust', path.join(admin, 'gatos', 'trust')]);

    step('3. alice clones, signs two events and pushes them: ACCEPTED');
    note([
      'GATOS_ACTOR=user:alice below plays the host: git tells a hook nothing about who pushes, and over a local path',
      "the pusher's environment is the hook's. On a real server the client sets nothing: gitolite sets GL_USER from",
      'the ssh key, GitLab GL_USERNAME, a web server REMOTE_USER after login, and the gate maps alice to user:alice',
      '(docs/transports.md).',
    ]);
    run(root, 'git', ['clone', '-q', srv, alice], { quiet: true });
    run(alice, 'git', ['fetch', '-q', 'origin', 'refs/gatos/policies/*:refs/gatos/policies/*']);
    gatos(alice, ['init'], { quiet: true });
    for (const flag of ['dark-mode', 'new-billing']) {
      gatos(alice, ['event', 'add', '--ns', 'finance', '--type', 'flag.set', '--payload', JSON.stringify({ flag, on: true }), '--caps', 'journal:append', '--as', 'user:alice']);
    }
    run(alice, 'git', ['push', 'origin', JOURNAL], { extraEnv: { GATOS_ACTOR: 'user:alice' } });

    step('4. alice rewrites her journal and force-pushes: REFUSED (what the client sees)');
    run(alice, 'git', ['update-ref', JOURNAL, `${JOURNAL}~1`]);
    gatos(alice, ['event', 'add', '--ns', 'finance', '--type', 'flag.set', '--payload', JSON.stringify({ flag: 'dark-mode', on: false }), '--caps', 'journal:append', '--as', 'user:alice']);
    const refused = run(alice, 'git', ['push', '--force', 'origin', JOURNAL], { extraEnv: { GATOS_ACTOR: 'user:alice' }, allowFail: true });
    if (refused.status === 0) throw new CliError('GATE_ERROR', 'the force push was accepted: the gate is not working', `inspect ${srv}`, EXIT.INTERNAL);

    step('5. The refusal survived the refused push: the audit trail');
    gatos(root, ['audit', 'log', '--repo', srv]);
    out(`\nThe demo repository stays in ${root} (server: ${srv}).`);
  },
};
