/** `gatos event add` (sign and append one event) and `gatos event verify <commit|ref>`. */
import type { CommandModule } from 'yargs';
import { parseJsonStrict } from '../../canon/jcs';
import { decodeUtf8 } from '../../core/bytes';
import { readFileSync } from 'node:fs';
import { appendEvents, resolveBinding, verifyEvent, verifyJournal } from '../../events';
import { DEFAULT_MAX_FUTURE_SKEW_SECONDS } from '../../gate/event-time';
import { random80 } from '../../workspace/clock';
import { CliError, setExitCode } from '../errors';
import { JSON_OPTION, printJson } from '../json';
import { exitFor, must, now, SIGNER_OPTIONS, signer, withRepo, workspace, type SignerArgs } from './producer/common';

interface AddArgs extends SignerArgs {
  ns: string;
  type: string;
  payload: string;
  ulid?: string;
  caps?: string;
  fold?: string;
  json: boolean;
}

function readPayload(arg: string): unknown {
  let text = arg;
  let file = '--payload';
  if (arg.startsWith('@')) {
    file = arg.slice(1);
    let bytes: Buffer;
    try {
      // @- is standard input (a pipe, a here-document), as in curl.
      bytes = readFileSync(file === '-' ? 0 : file);
    } catch {
      throw new CliError('NOT_FOUND', `${file}: cannot read the payload ${file === '-' ? 'from standard input' : 'file'}`, 'check the path after @ (@- reads standard input)');
    }
    if (file === '-') file = '<stdin>';
    const t = decodeUtf8(new Uint8Array(bytes));
    if (t === undefined) throw new CliError('ENCODING_INVALID', `${file} is not valid UTF-8`, 'payloads are JSON');
    text = t;
  }
  return must(parseJsonStrict(text, file));
}

const addCommand: CommandModule<object, AddArgs> = {
  command: 'add',
  describe: 'Sign an event and append it to your journal refs/gatos/journal/<ns>/<kind>/<name>',
  builder: (y) =>
    y
      .option('ns', { type: 'string', demandOption: true, describe: 'the namespace, e.g. finance' })
      .option('type', { type: 'string', demandOption: true, describe: "the event type, e.g. 'invoice.created'" })
      .option('payload', { type: 'string', demandOption: true, describe: 'JSON, @file to read it from a file, or @- from standard input (no floats: use integers or strings)' })
      .option('ulid', { type: 'string', describe: 'the ULID (idempotency key); generated, monotonic, when left out' })
      .option('caps', { type: 'string', describe: 'comma-separated capabilities the event claims, e.g. journal:append' })
      .option('fold', { type: 'string', describe: 'the fold the event binds, when several read the journal' })
      .options(SIGNER_OPTIONS)
      .options(JSON_OPTION),
  handler: async (args) => {
    const ws = workspace();
    const key = signer(args);
    const payload = readPayload(args.payload);
    const ts = now();
    const caps = (args.caps ?? '').split(',').map((c) => c.trim()).filter(Boolean);
    const r = await withRepo(ws, async (repo) => {
      const binding = must(await resolveBinding(repo, args.ns, key.actor, args.fold));
      return must(await appendEvents({ repo, ns: args.ns, key, policyRoot: binding.policyRoot, foldRoot: binding.foldRoot, random: random80 }, [{ type: args.type, payload, caps, ts, ...(args.ulid ? { ulid: args.ulid } : {}) }]));
    });
    process.stderr.write(`appended to ${r.journal}\n`);
    if (args.json) printJson({ journal: r.journal, commit: r.commits[0], ulid: r.ulids[0], event_cid: r.cids[0] });
    else process.stdout.write(`${r.commits[0]} ${r.ulids[0]} ${r.cids[0]}\n`);
  },
};

interface VerifyArgs {
  target: string;
  trust: 'bound' | 'active';
  json: boolean;
}

const verifyCommand: CommandModule<object, VerifyArgs> = {
  command: 'verify <target>',
  describe: 'Verify an event commit, or every event of a journal ref: form, signature, trust, grants, expiry',
  builder: (y) =>
    y
      .positional('target', { type: 'string', demandOption: true, describe: 'an event commit id, or a journal ref refs/gatos/journal/<ns>/<kind>/<name>' })
      .option('trust', { choices: ['bound', 'active'] as const, default: 'bound' as const, describe: "check the signer with the bundle the event binds, or with the active one" })
      .options(JSON_OPTION),
  handler: async (args) => {
    const ws = workspace();
    const t = now();
    const r = await withRepo(ws, async (repo) => {
      // The clock rule of the gate (gate/event-time) at its default skew; no age bound for history.
      const time = { maxFutureSkewSeconds: DEFAULT_MAX_FUTURE_SKEW_SECONDS };
      if (args.target.startsWith('refs/')) return verifyJournal(repo, args.target, { now: t, trust: args.trust, time });
      const v = await verifyEvent(repo, args.target, undefined, { now: t, trust: args.trust, time });
      return v.ok ? { ok: true as const, value: [v.value] } : v;
    });
    if (!r.ok) {
      process.stderr.write(`error[${r.error.code}]: ${r.error.message}\n${r.error.hint ? `  hint: ${r.error.hint}\n` : ''}`);
      if (args.json) printJson({ verified: false, code: r.error.code, message: r.error.message });
      else process.stdout.write(`invalid ${r.error.code}\n`);
      setExitCode(exitFor(r.error));
      return;
    }
    if (args.json) {
      printJson({ verified: true, events: r.value.map((v) => ({ commit: v.commit, ulid: v.encoded.envelope.ulid, type: v.encoded.envelope.type, actor: v.encoded.envelope.actor })) });
      return;
    }
    for (const v of r.value) process.stdout.write(`ok ${v.commit} ${v.encoded.envelope.ulid} ${v.encoded.envelope.type} by ${v.encoded.envelope.actor}\n`);
    process.stdout.write(`verified ${r.value.length} event${r.value.length === 1 ? '' : 's'}\n`);
  },
};

export const eventCommand: CommandModule = {
  command: 'event <command>',
  describe: 'Signed events on journals: event add | verify',
  builder: (y) => y.command(addCommand as CommandModule<object, AddArgs>).command(verifyCommand as CommandModule<object, VerifyArgs>).demandCommand(1, 'name an event command: add or verify'),
  handler: () => {
    throw new CliError('USAGE', 'name an event command: add or verify', "try 'gatos event --help'");
  },
};
