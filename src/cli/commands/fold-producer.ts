/**
 * `gatos fold checkpoint` and `gatos fold verify`, hooked into `gatos fold`
 * through the array at the end of this file.
 */
import type { CommandModule } from 'yargs';
import { makeCheckpoint, resolveCheckpoint, verifyCheckpoint } from '../../checkpoint';
import { setExitCode } from '../errors';
import { JSON_OPTION, printJson } from '../json';
import { exitFor, must, now, SIGNER_OPTIONS, signer, withRepo, workspace, type SignerArgs } from './producer/common';

interface CheckpointArgs extends SignerArgs {
  ns: string;
  fold?: string;
  scratch: boolean;
  json: boolean;
}

const checkpointCommand: CommandModule<object, CheckpointArgs> = {
  command: 'checkpoint',
  describe: "Fold a namespace's journals (incrementally from the last checkpoint) and commit the state with a signed Proof-of-Fold to refs/gatos/state/<ns>",
  builder: (y) =>
    y
      .option('ns', { type: 'string', demandOption: true, describe: 'the namespace, e.g. finance' })
      .option('fold', { type: 'string', describe: 'the fold id, when several folds read the namespace' })
      .option('scratch', { type: 'boolean', default: false, describe: "fold everything from the start instead of resuming from the last checkpoint (same bytes; slower)" })
      .options(SIGNER_OPTIONS)
      .options(JSON_OPTION),
  handler: async (args) => {
    const ws = workspace();
    const key = signer(args);
    const t = now();
    const r = await withRepo(ws, async (repo) => must(await makeCheckpoint(repo, { ns: args.ns, key, now: t, scratch: args.scratch, ...(args.fold ? { foldId: args.fold } : {}) })));
    if (args.json) {
      printJson(r.written ? { written: true, ref: r.ref, commit: r.commit, state_root: r.proof.stateRoot, events: r.proof.events, base: r.proof.base, journals: r.proof.window.length } : { written: false, ref: r.ref, commit: r.commit });
      return;
    }
    if (!r.written) {
      process.stdout.write(`nothing new to fold: ${r.ref} is at ${r.commit}\n`);
      return;
    }
    const p = r.proof;
    process.stdout.write(`checkpoint ${r.commit} on ${r.ref}\nstate_root = ${p.stateRoot}\nfolded ${p.events} event${p.events === 1 ? '' : 's'} (${p.base === 'resume' ? 'resumed from the last checkpoint' : 'from scratch'}) over ${p.window.length} journal${p.window.length === 1 ? '' : 's'}\n`);
  },
};

interface VerifyArgs {
  target: string;
  json: boolean;
}

const verifyCommand: CommandModule<object, VerifyArgs> = {
  command: 'verify <target>',
  describe: 'Recompute a checkpoint over its declared window; prints identical or the first difference',
  builder: (y) => y.positional('target', { type: 'string', demandOption: true, describe: 'a state ref (refs/gatos/state/<ns>) or a checkpoint commit' }).options(JSON_OPTION),
  handler: async (args) => {
    const ws = workspace();
    const r = await withRepo(ws, async (repo) => {
      const id = await resolveCheckpoint(repo, args.target);
      return id.ok ? verifyCheckpoint(repo, id.value) : id;
    });
    if (!r.ok) {
      process.stderr.write(`error[${r.error.code}]: ${r.error.message}\n${r.error.hint ? `  hint: ${r.error.hint}\n` : ''}`);
      if (args.json) printJson({ identical: false, code: r.error.code, message: r.error.message });
      else process.stdout.write(`different ${r.error.code}\n`);
      setExitCode(exitFor(r.error));
      return;
    }
    if (args.json) {
      printJson({ identical: true, commit: r.value.commit, state_root: r.value.proof.stateRoot, events: r.value.proof.events, base: r.value.proof.base });
      return;
    }
    process.stdout.write(`identical ${r.value.commit} state_root ${r.value.proof.stateRoot} (${r.value.proof.events} events, ${r.value.proof.base})\n`);
  },
};

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- yargs's own type for a heterogeneous command list
export const foldProducerSubcommands: CommandModule<any, any>[] = [checkpointCommand, verifyCommand];
