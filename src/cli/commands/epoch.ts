/** `gatos epoch new <ns>` (sign an anchor in your clone) and `gatos epoch compact <ns> [--dry-run]` (operator, on the server). */
import type { CommandModule } from 'yargs';
import { compact, compactionPlan, newEpoch } from '../../epoch/store';
import { openRepo } from '../../git';
import { random80 } from '../../workspace/clock';
import { CliError } from '../errors';
import { JSON_OPTION, printJson } from '../json';
import { must, now, SIGNER_OPTIONS, signer, withRepo, workspace, type SignerArgs } from './producer/common';

interface NewArgs extends SignerArgs {
  ns: string;
  json: boolean;
}

const newCommand: CommandModule<object, NewArgs> = {
  command: 'new <ns>',
  describe: 'Sign a new epoch anchor for a namespace: refs/gatos/epoch/<ns>/<epoch-id>, linking the previous anchor, the journal heads, the state root and the active bundle',
  builder: (y) =>
    y
      .positional('ns', { type: 'string', demandOption: true, describe: 'the namespace, e.g. finance' })
      .options(SIGNER_OPTIONS)
      .options(JSON_OPTION),
  handler: async (args) => {
    const ws = workspace();
    const key = signer(args);
    const ts = now();
    const r = must(await withRepo(ws, (repo) => newEpoch(repo, args.ns, key, ts, random80)));
    process.stderr.write(`anchor ${r.payload.seq} of ${args.ns} written; push it alone: git push origin ${r.ref}\n`);
    if (args.json) {
      printJson({ ref: r.ref, commit: r.commit, epoch: r.epoch, seq: r.payload.seq, prev: r.payload.prev, heads: Object.fromEntries([...r.payload.heads].sort()), state: r.payload.state ? { checkpoint: r.payload.state.checkpoint, state_root: r.payload.state.stateRoot } : null });
    } else process.stdout.write(`${r.ref} ${r.commit}\n`);
  },
};

interface CompactArgs {
  ns: string;
  repo: string;
  'dry-run': boolean;
  expire: string;
  json: boolean;
}

const compactCommand: CommandModule<object, CompactArgs> = {
  command: 'compact <ns>',
  describe: "Operator: delete the namespace's epoch refs that are off its chain and prune objects nothing references any more",
  builder: (y) =>
    y
      .positional('ns', { type: 'string', demandOption: true, describe: 'the namespace' })
      .option('repo', { type: 'string', default: '.', describe: 'the repository (the bare repository on the server)' })
      .option('dry-run', { type: 'boolean', default: false, describe: 'print the plan, change nothing' })
      .option('expire', { type: 'string', default: '2.weeks.ago', describe: "git gc's --prune: unreferenced objects younger than this stay (pushes in flight)" })
      .options(JSON_OPTION),
  handler: async (args) => {
    const opened = await openRepo(args.repo, { env: { ...process.env, GIT_DIR: undefined } as NodeJS.ProcessEnv });
    if (!opened.ok) throw new CliError('NOT_FOUND', `${args.repo}: ${opened.error.message}`, 'name a repository with --repo');
    const repo = opened.value;
    try {
      const plan = must(await compactionPlan(repo, args.ns));
      const done = args['dry-run'] ? undefined : must(await compact(repo, plan, args.expire));
      if (args.json) {
        printJson({ ns: plan.ns, dry_run: args['dry-run'], chain: plan.chain.map((l) => ({ ref: l.ref, commit: l.commit, seq: l.seq })), delete_refs: plan.deleteRefs.map((d) => ({ ref: d.ref, id: d.id, why: d.why })), unreferenced_objects: plan.unreferenced, pruned: done?.pruned ?? false, expire: args.expire });
        return;
      }
      const out: string[] = [`${args['dry-run'] ? 'plan' : 'compacted'} ${plan.ns}: chain of ${plan.chain.length} anchor${plan.chain.length === 1 ? '' : 's'} kept`];
      for (const l of plan.chain) out.push(`  keep   ${l.ref} ${l.commit} (epoch ${l.seq})`);
      for (const d of plan.deleteRefs) out.push(`  delete ${d.ref} ${d.id} (${d.why})`);
      out.push(`  ${plan.unreferenced.length} object${plan.unreferenced.length === 1 ? '' : 's'} only the deleted refs reach${args['dry-run'] ? '' : `; git gc --prune=${args.expire} ran`}`);
      process.stdout.write(`${out.join('\n')}\n`);
    } finally {
      await repo.close();
    }
  },
};

export const epochCommand: CommandModule = {
  command: 'epoch <command>',
  describe: 'Epoch anchors: epoch new | compact',
  builder: (y) => y.command(newCommand as CommandModule<object, NewArgs>).command(compactCommand as CommandModule<object, CompactArgs>).demandCommand(1, 'name an epoch command: new or compact'),
  handler: () => {
    throw new CliError('USAGE', 'name an epoch command: new or compact', "try 'gatos epoch --help'");
  },
};
