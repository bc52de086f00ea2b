/** `gatos session start|save|undo|merge|status` (docs/sessions.md): working branches of state, merged by the fold's join. */
import type { CommandModule } from 'yargs';
import { parseActor, type Actor } from '../../actors';
import { conflictPayload } from '../../session/format';
import { mergeSession, saveSession, sessionStatus, startSession, undoSession } from '../../session/client';
import { random80 } from '../../workspace/clock';
import { CliError, EXIT, setExitCode } from '../errors';
import { JSON_OPTION, printJson } from '../json';
import { exitFor, must, now, SIGNER_OPTIONS, signer, withRepo, workspace, type SignerArgs } from './producer/common';

interface StartArgs extends SignerArgs {
  ns: string;
  fold?: string;
  json: boolean;
}

interface NamedArgs extends SignerArgs {
  session: string;
  json: boolean;
}

interface UndoArgs extends NamedArgs {
  to?: string;
}

interface MergeArgs extends NamedArgs {
  'conflict-event'?: string;
  retry: boolean;
}

interface StatusArgs extends SignerArgs {
  session?: string;
  json: boolean;
}

const SESSION_ARG = { type: 'string', demandOption: true, describe: 'the session: its ULID (one of yours) or its ref refs/gatos/sessions/<kind>/<name>/<ulid>' } as const;

const startCommand: CommandModule<object, StartArgs> = {
  command: 'start',
  describe: "Fork a namespace's state at its checkpoint into a new session refs/gatos/sessions/<kind>/<name>/<ulid>",
  builder: (y) =>
    y
      .option('ns', { type: 'string', demandOption: true, describe: 'the namespace whose state the session forks' })
      .option('fold', { type: 'string', describe: 'the fold, when several read the namespace' })
      .options(SIGNER_OPTIONS)
      .options(JSON_OPTION),
  handler: async (args) => {
    const ws = workspace();
    const key = signer(args);
    const ts = now();
    const r = must(await withRepo(ws, (repo) => startSession(repo, { ns: args.ns, ...(args.fold ? { foldId: args.fold } : {}), key, now: ts, random: random80() })));
    if (args.json) printJson({ ref: r.ref, ulid: r.ulid, commit: r.commit, base: r.base, fold: r.fold });
    else process.stdout.write(`${r.ref} ${r.commit}\n`);
    process.stderr.write(`session ${r.ulid} forks ${args.ns} at ${r.base}; append events (gatos event add --ns ${args.ns}), then gatos session save ${r.ulid}\n`);
  },
};

const saveCommand: CommandModule<object, NamedArgs> = {
  command: 'save <session>',
  describe: "Fold your new events on your journal of the session's namespace into the session's state",
  builder: (y) => y.positional('session', SESSION_ARG).options(SIGNER_OPTIONS).options(JSON_OPTION),
  handler: async (args) => {
    const ws = workspace();
    const key = signer(args);
    const ts = now();
    const r = must(await withRepo(ws, (repo) => saveSession(repo, { session: args.session, key, now: ts })));
    if (args.json) printJson({ ref: r.ref, commit: r.commit, written: r.written, events: r.events, head: r.head });
    else process.stdout.write(r.written ? `${r.ref} ${r.commit} (${r.events} event${r.events === 1 ? '' : 's'} folded)\n` : `${r.ref} unchanged: no new events on your journal\n`);
  },
};

const undoCommand: CommandModule<object, UndoArgs> = {
  command: 'undo <session>',
  describe: 'A new session commit with an earlier state: the one before the last step, or --to <commit>',
  builder: (y) =>
    y
      .positional('session', SESSION_ARG)
      .option('to', { type: 'string', describe: 'the session commit whose state to restore (default: the tip\'s parent)' })
      .options(SIGNER_OPTIONS)
      .options(JSON_OPTION),
  handler: async (args) => {
    const ws = workspace();
    const key = signer(args);
    const ts = now();
    const r = must(await withRepo(ws, (repo) => undoSession(repo, { session: args.session, ...(args.to ? { to: args.to } : {}), key, now: ts })));
    if (args.json) printJson({ ref: r.ref, commit: r.commit, restored: r.restored, head: r.head, journal: r.journal, journal_head: r.journalHead });
    else process.stdout.write(`${r.ref} ${r.commit} (the state of ${r.restored})\n`);
    if (r.journalHead !== null && r.journalHead !== r.head) {
      // The undone events are still on the journal: a merge would fold them, and the gate refuses a merge that is not the join.
      process.stderr.write(`the undone events are still on ${r.journal}; before merging, drop them if you have not pushed them: ${r.head === null ? `git update-ref -d ${r.journal}` : `git update-ref ${r.journal} ${r.head}`}\n`);
    }
  },
};

const mergeCommand: CommandModule<object, MergeArgs> = {
  command: 'merge <session>',
  describe: "Checkpoint the namespace and record the session's merge, only when the new state is the join (or resolves a recorded governance.conflict)",
  builder: (y) =>
    y
      .positional('session', SESSION_ARG)
      .option('conflict-event', { type: 'string', describe: 'the commit of the governance.conflict event that records this merge\'s conflict' })
      .option('retry', { type: 'boolean', default: false, describe: 'redo a merge the server refused (drops its checkpoint here first)' })
      .options(SIGNER_OPTIONS)
      .options(JSON_OPTION),
  handler: async (args) => {
    const ws = workspace();
    const key = signer(args);
    const ts = now();
    const r = await withRepo(ws, (repo) => mergeSession(repo, { session: args.session, key, now: ts, retry: args.retry, ...(args['conflict-event'] ? { conflictEvent: args['conflict-event'] } : {}) }));
    if (!r.ok) {
      const e = r.error;
      if (!args.json || (e.code !== 'SESSION_CONFLICT' && e.code !== 'SESSION_NOT_JOIN')) throw CliError.from(e, exitFor(e));
      // The refusal as data: a client records the conflict event from `conflict_event_payload` as printed.
      printJson({ merged: false, code: e.code, reason: e.message, ...(e.hint ? { hint: e.hint } : {}), ...(e.record ? { conflicts: e.record.conflicts, conflict_event_payload: conflictPayload(e.record) } : {}) });
      setExitCode(EXIT.NEGATIVE);
      return;
    }
    const m = r.value;
    if (args.json) printJson({ merged: true, ref: m.ref, commit: m.commit, checkpoint: m.checkpoint, outcome: m.outcome.kind, ...(m.outcome.kind === 'resolved' ? { conflicts: m.outcome.conflicts } : {}) });
    else process.stdout.write(`${m.ref} ${m.commit} merges by checkpoint ${m.checkpoint} (${m.outcome.kind === 'join' ? 'the join' : 'resolving the recorded conflict'})\n`);
    process.stderr.write(`push the merge with its checkpoint and your journal: git push origin <your journal> <state ref> ${m.ref}\n`);
  },
};

const statusCommand: CommandModule<object, StatusArgs> = {
  command: 'status [session]',
  describe: 'The sessions of this clone: step, namespace, base, and the conflicts a merge with the state ref here would meet',
  builder: (y) =>
    y
      .positional('session', { type: 'string', describe: 'one session (ULID or ref); default every session here' })
      .options(SIGNER_OPTIONS)
      .options(JSON_OPTION),
  handler: async (args) => {
    const ws = workspace();
    const only: { actor: Actor; name: string } | undefined = args.session === undefined ? undefined : { actor: must(parseActor(signer(args).actor)), name: args.session };
    const list = must(await withRepo(ws, (repo) => sessionStatus(repo, only)));
    if (args.json) {
      printJson({ sessions: list });
      return;
    }
    if (list.length === 0) process.stdout.write('no sessions here (gatos session start --ns <ns>)\n');
    for (const s of list) {
      const where = s.merged_into ? `merged into ${s.merged_into}` : s.conflicts === null ? (s.problem ?? 'no state to compare') : s.conflicts.length === 0 ? 'merges as the join' : `conflicts at ${s.conflicts.map((c) => `${c.path} (${c.rule})`).join(', ')}`;
      process.stdout.write(`${s.ref} ${s.step} ${s.ns} base ${s.base.slice(0, 12)}: ${where}\n`);
    }
  },
};

export const sessionCommand: CommandModule = {
  command: 'session <command>',
  describe: 'Sessions, working branches of state merged by the join: session start | save | undo | merge | status',
  builder: (y) =>
    y
      .command(startCommand as CommandModule<object, StartArgs>)
      .command(saveCommand as CommandModule<object, NamedArgs>)
      .command(undoCommand as CommandModule<object, UndoArgs>)
      .command(mergeCommand as CommandModule<object, MergeArgs>)
      .command(statusCommand as CommandModule<object, StatusArgs>)
      .demandCommand(1, 'name a session command: start, save, undo, merge or status'),
  handler: () => {
    throw new CliError('USAGE', 'name a session command: start, save, undo, merge or status', "try 'gatos session --help'");
  },
};
