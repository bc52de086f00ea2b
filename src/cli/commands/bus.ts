/**
 * `gatos bus publish|subscribe|ack|status|reshard|rotate|prune`: the message bus on the
 * local clone (docs/bus.md). Each command writes local refs only; push them
 * with `git push origin 'refs/gatos/mbus*'` to the gated repository.
 */
import type { CommandModule } from 'yargs';
import { parseJsonStrict } from '../../canon/jcs';
import { ack, publish, reshard, rotate, status, subscribe, type Subscription } from '../../bus/client';
import { prune } from '../../bus/prune';
import type { Result } from '../../core/result';
import type { GitRepo } from '../../git';
import type { ActorKey } from '../../keys';
import { random80 } from '../../workspace/clock';
import { CliError } from '../errors';
import { JSON_OPTION, printJson } from '../json';
import { countOption } from '../options';
import { actingActor, must, now, SIGNER_OPTIONS, signer, withRepo, workspace, type SignerArgs } from './producer/common';

interface TopicArgs extends SignerArgs {
  topic: string;
  json: boolean;
}

interface PublishArgs extends TopicArgs {
  key: string[];
  body: string;
  type: string;
}

const publishCommand: CommandModule<object, PublishArgs> = {
  command: 'publish <topic>',
  describe: 'Sign a message per --key and append each to the shard(s) its key belongs on (both maps during a reshard)',
  builder: (y) =>
    y
      .positional('topic', { type: 'string', demandOption: true })
      .option('key', { type: 'string', array: true, demandOption: true, describe: 'the partition key (the consistent hash of it picks the shard); repeat it for several messages, published in order' })
      .option('body', { type: 'string', default: 'null', describe: 'the message body, JSON (no floats); the same for every --key' })
      .option('type', { type: 'string', default: 'bus.message', describe: 'the message type' })
      .options(SIGNER_OPTIONS)
      .options(JSON_OPTION),
  handler: async (args) => {
    const ws = workspace();
    const key = signer(args);
    const body = must(parseJsonStrict(args.body, '--body'));
    const ts = now();
    const published = await withRepo(ws, async (repo) => {
      const out = [];
      for (const k of args.key) out.push(must(await publish(repo, args.topic, key, { key: k, body, type: args.type, ts, random: random80 })));
      return out;
    });
    if (args.json) printJson({ topic: args.topic, published: published.map(({ topic: _t, ...p }) => p) });
    else for (const p of published) for (const [ref, commit] of Object.entries(p.refs)) process.stdout.write(`${commit} ${p.ulid} ${ref}\n`);
  },
};

interface SubscribeArgs extends TopicArgs {
  ack: boolean;
}

function printSubscription(s: Subscription, json: boolean, acked?: string): void {
  if (json) {
    printJson({ topic: s.topic, subscriber: s.subscriber, messages: s.messages, offsets: s.offsets, ...(acked ? { ack: acked } : {}) });
    return;
  }
  for (const m of s.messages) process.stdout.write(`${m.ulid} shard ${m.shard} ${m.key} ${JSON.stringify(m.body)}\n`);
  process.stderr.write(`${s.messages.length} new message${s.messages.length === 1 ? '' : 's'} on ${s.topic}${acked ? `; acked in ${acked}` : ''}\n`);
}

const subscribeCommand: CommandModule<object, SubscribeArgs> = {
  command: 'subscribe <topic>',
  describe: "Print the messages you have not consumed: every live shard (both maps during a reshard), once per (topic, ULID)",
  builder: (y) =>
    y
      .positional('topic', { type: 'string', demandOption: true })
      .option('ack', { type: 'boolean', default: false, describe: 'also write the ack for exactly what was printed' })
      .options(SIGNER_OPTIONS)
      .options(JSON_OPTION),
  handler: async (args) => {
    const ws = workspace();
    const who = actingActor(args);
    const key = args.ack ? signer(args) : undefined;
    const ts = now();
    await withRepo(ws, async (repo) => {
      const s = must(await subscribe(repo, args.topic, who));
      let acked: string | undefined;
      if (key && Object.keys(s.offsets).length > 0) acked = must(await ack(repo, args.topic, key, s.offsets, ts, random80)).commit;
      printSubscription(s, args.json, acked);
    });
  },
};

interface AckArgs extends TopicArgs {
  shard?: string[];
}

const ackCommand: CommandModule<object, AckArgs> = {
  command: 'ack <topic>',
  describe: 'Record the last message consumed per shard (default: every live shard\'s local tip)',
  builder: (y) =>
    y
      .positional('topic', { type: 'string', demandOption: true })
      .option('shard', { type: 'string', array: true, describe: '<n>=<message commit>, repeatable' })
      .options(SIGNER_OPTIONS)
      .options(JSON_OPTION),
  handler: async (args) => {
    const ws = workspace();
    const key = signer(args);
    const ts = now();
    const r = await withRepo(ws, async (repo) => {
      let offsets: Record<string, string>;
      if (args.shard && args.shard.length > 0) {
        offsets = {};
        for (const s of args.shard) {
          const m = /^(0|[1-9][0-9]*)=([0-9a-f]{40}|[0-9a-f]{64})$/.exec(s);
          if (!m) throw new CliError('USAGE', `--shard ${s}: expected <n>=<message commit>`, 'e.g. --shard 0=<40 or 64 hex>');
          offsets[m[1] as string] = m[2] as string;
        }
      } else offsets = must(await subscribe(repo, args.topic, key.actor)).offsets;
      if (Object.keys(offsets).length === 0) throw new CliError('NOT_FOUND', `${args.topic} has no message to ack`, 'fetch refs/gatos/mbus/* first');
      return must(await ack(repo, args.topic, key, offsets, ts, random80));
    });
    if (args.json) printJson(r);
    else process.stdout.write(`${r.commit} ${r.ref}\n`);
  },
};

const statusCommand: CommandModule<object, TopicArgs> = {
  command: 'status <topic>',
  describe: "The topic's shard map, its dual-write window, each shard's tip (and open segment) and each subscriber's lag",
  builder: (y) => y.positional('topic', { type: 'string', demandOption: true }).options(JSON_OPTION),
  handler: async (args) => {
    const ws = workspace();
    const s = must(await withRepo(ws, (repo) => status(repo, args.topic)));
    if (args.json) {
      printJson(s);
      return;
    }
    const c = s.config;
    process.stdout.write(`${s.topic}: map version ${c.version}, ${c.shards} shard${c.shards === 1 ? '' : 's'}, migrate ${c.migrate}${s.window ? ` (dual-writing from version ${s.window.from}, ${s.window.old_shards} shards)` : ''}\n`);
    if (c.ack_window_s !== undefined) process.stdout.write(`ack window: ${c.ack_window_s} s\n`);
    if (c.prune_segments !== undefined) process.stdout.write(`retention: a shard may be pruned once it holds ${c.prune_segments} sealed segment${c.prune_segments === 1 ? '' : 's'}\n`);
    if (c.segment_messages !== undefined || c.segment_bytes !== undefined) process.stdout.write(`segments rotate at ${[c.segment_messages !== undefined ? `${c.segment_messages} messages` : '', c.segment_bytes !== undefined ? `${c.segment_bytes} bytes` : ''].filter(Boolean).join(' or ')}\n`);
    for (const [shard, tip] of Object.entries(s.shards)) {
      const g = s.segments?.[shard];
      process.stdout.write(`shard ${shard}: ${tip ?? '(empty)'}${g ? ` (open segment: ${g.open} messages, ${g.bytes} bytes${g.can_rotate ? '; gatos bus rotate would close it' : ''})` : ''}\n`);
    }
    for (const l of s.lag) process.stdout.write(`lag ${l.subscriber} shard ${l.shard}: ${l.unacked}\n`);
    if (s.window) process.stdout.write(s.can_flip ? 'no lag on the old map: gatos bus reshard --flip may close the window\n' : 'subscribers lag on the old map: a flip would be refused (ACK_TIMEOUT)\n');
  },
};

interface ReshardArgs extends TopicArgs {
  shards?: string;
  flip: boolean;
  subscribers?: string;
  'ack-window'?: string;
  'segment-messages'?: string;
  'segment-bytes'?: string;
  'prune-segments'?: string;
}

/** A count option that 'none' removes. */
function countOrNone(name: string, v: string | undefined): number | null | undefined {
  return v === undefined ? undefined : v === 'none' ? null : countOption(name, v);
}

const reshardCommand: CommandModule<object, ReshardArgs> = {
  command: 'reshard <topic>',
  describe: 'Create a topic, open a dual-write window to a new shard count, flip it closed, or change its subscribers, ack window and segment policy',
  builder: (y) =>
    y
      .positional('topic', { type: 'string', demandOption: true })
      .option('shards', { type: 'string', describe: 'the shard count (a new count opens a dual-write window from the current map)' })
      .option('flip', { type: 'boolean', default: false, describe: 'close the open window: retire the old map (refused while subscribers lag on it)' })
      .option('subscribers', { type: 'string', describe: 'comma-separated actors whose acks count for backpressure and the flip' })
      .option('ack-window', { type: 'string', describe: "seconds the oldest unacked message may wait before publishing is refused (ACK_TIMEOUT); 'none' removes it" })
      .option('segment-messages', { type: 'string', describe: "the segment policy: a shard may rotate (gatos bus rotate) once its open segment holds this many messages; 'none' removes it" })
      .option('segment-bytes', { type: 'string', describe: "the segment policy: … or this many bytes of messages; 'none' removes it" })
      .option('prune-segments', { type: 'string', describe: "retention: a shard may be pruned (gatos bus prune) once it holds this many sealed segments; 'none' removes it (never pruned)" })
      .options(SIGNER_OPTIONS)
      .options(JSON_OPTION),
  handler: async (args) => {
    const ws = workspace();
    const actor = actingActor(args);
    const ts = now();
    const shards = countOption('shards', args.shards);
    const ackWindowS = countOrNone('ack-window', args['ack-window']);
    const segmentMessages = countOrNone('segment-messages', args['segment-messages']);
    const segmentBytes = countOrNone('segment-bytes', args['segment-bytes']);
    const pruneSegments = countOrNone('prune-segments', args['prune-segments']);
    const subscribers = args.subscribers === undefined ? undefined : args.subscribers.split(',').map((s) => s.trim()).filter(Boolean);
    const r = must(await withRepo(ws, (repo) => reshard(repo, { topic: args.topic, actor, ts, flip: args.flip, ...(shards !== undefined ? { shards } : {}), ...(subscribers ? { subscribers } : {}), ...(ackWindowS !== undefined ? { ackWindowS } : {}), ...(segmentMessages !== undefined ? { segmentMessages } : {}), ...(segmentBytes !== undefined ? { segmentBytes } : {}), ...(pruneSegments !== undefined ? { pruneSegments } : {}) })));
    if (args.json) printJson(r);
    else process.stdout.write(`${r.commit} ${r.ref} (${r.transition}: version ${r.config.version}, ${r.config.shards} shards, migrate ${r.config.migrate})\n`);
  },
};

interface RotateArgs extends TopicArgs {
  shard?: string;
}

/** A command over a topic's shards, one (`--shard`) or every one (rotate, prune): the same options, its own step and report. */
function perShardCommand<R>(
  command: string,
  describe: string,
  shardHelp: string,
  step: (repo: GitRepo, topic: string, key: ActorKey, opts: { shard?: number; ts: number; random: () => Uint8Array }) => Promise<Result<R>>,
  report: (r: R) => string,
): CommandModule<object, RotateArgs> {
  return {
    command: `${command} <topic>`,
    describe,
    builder: (y) =>
      y
        .positional('topic', { type: 'string', demandOption: true })
        .option('shard', { type: 'string', describe: shardHelp })
        .options(SIGNER_OPTIONS)
        .options(JSON_OPTION),
    handler: async (args) => {
      const ws = workspace();
      const key = signer(args);
      const ts = now();
      const shard = countOption('shard', args.shard, 0);
      const r = must(await withRepo(ws, async (repo) => step(repo, args.topic, key, { ts, random: random80, ...(shard !== undefined ? { shard } : {}) })));
      if (args.json) printJson(r);
      else process.stdout.write(report(r));
    },
  };
}

const rotateCommand = perShardCommand(
  'rotate',
  "Close each shard's open segment that the topic's segment policy lets rotate: append a signed summary (count, bytes, Merkle root, last ULID, previous summary)",
  'rotate this shard only (refused when its policy does not allow it yet)',
  rotate,
  (r) =>
    [
      ...r.rotated.map((x) => `${x.commit} ${x.ulid} ${x.ref} (${x.summary.count} messages, ${x.summary.merkle_root})\n`),
      ...r.skipped.map((x) => `shard ${x.shard}: not rotated: ${x.reason}\n`),
    ].join(''),
);

const pruneCommand = perShardCommand(
  'prune',
  "Drop each sealed shard's segments from its live ref, as the retention allows once every named subscriber acked them: a signed prune root carrying the dropped summaries, and an archive ref at the old tip",
  'prune this shard only (refused when it may not be pruned yet)',
  prune,
  (r) =>
    [
      ...r.pruned.map((x) => `${x.commit} ${x.ulid} ${x.ref} (${x.segments} segment${x.segments === 1 ? '' : 's'} to ${x.last_ulid} dropped; archived at ${x.archive})\n`),
      ...r.skipped.map((x) => `shard ${x.shard}: not pruned: ${x.reason}\n`),
      ...(r.push.length > 0 ? [`push: git push --atomic origin ${r.push.join(' ')}\n`] : []),
    ].join(''),
);

export const busCommand: CommandModule = {
  command: 'bus <command>',
  describe: 'The message bus: bus publish | subscribe | ack | status | reshard | rotate | prune',
  builder: (y) =>
    y
      .command(publishCommand as CommandModule<object, PublishArgs>)
      .command(subscribeCommand as CommandModule<object, SubscribeArgs>)
      .command(ackCommand as CommandModule<object, AckArgs>)
      .command(statusCommand as CommandModule<object, TopicArgs>)
      .command(reshardCommand as CommandModule<object, ReshardArgs>)
      .command(rotateCommand as CommandModule<object, RotateArgs>)
      .command(pruneCommand as CommandModule<object, RotateArgs>)
      .demandCommand(1, 'name a bus command: publish, subscribe, ack, status, reshard, rotate or prune'),
  handler: () => {
    throw new CliError('USAGE', 'name a bus command: publish, subscribe, ack, status, reshard, rotate or prune', "try 'gatos bus --help'");
  },
};
