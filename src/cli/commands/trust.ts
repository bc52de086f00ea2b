/**
 * `gatos trust add|grant|revoke`: signed changes to gatos/trust/ in the
 * workspace (they take effect with the next gatos policy publish).
 */
import type { CommandModule } from 'yargs';
import { canonicalJson } from '../../canon/jcs';
import { parsePublicKey } from '../../canon/ed25519';
import { bytesEqual } from '../../core/bytes';
import { gateError } from '../../core/result';
import { addActor, makeGrant, makeRevocation, parseTime, readCanonicalJson, readTrustSet, type JsonObject, type TrustSet } from '../../trust';
import { GRAPH_FILE, readFolder, readWorkspaceFile, writeWorkspaceFile, type Workspace } from '../../workspace/workspace';
import { CliError } from '../errors';
import { JSON_OPTION, printJson } from '../json';
import { actingActor, must, now, SIGNER_OPTIONS, signer, workspace, type SignerArgs } from './producer/common';

/** The workspace's trust set, with `extra` files (work-tree paths) added as if written. */
function trustSet(ws: Workspace, extra: ReadonlyMap<string, Uint8Array> = new Map()): TrustSet {
  const files = must(readFolder(ws, 'gatos/trust'));
  const rel = new Map<string, Uint8Array>();
  for (const [p, b] of [...files, ...extra]) rel.set(p.slice('gatos/trust/'.length), b);
  return must(readTrustSet(rel));
}

function write(ws: Workspace, rel: string, json: JsonObject): void {
  writeWorkspaceFile(ws, rel, must(canonicalJson(json)));
}

interface AddArgs extends SignerArgs {
  actor: string;
  pubkey: string;
  level: number;
  group: string[];
  json: boolean;
}

const addCommand: CommandModule<object, AddArgs> = {
  command: 'add <actor> <pubkey>',
  describe: 'Trust an actor with a key, or rotate its key when it is already trusted (signed by --as)',
  builder: (y) =>
    y
      .positional('actor', { type: 'string', demandOption: true, describe: 'e.g. user:bob' })
      .positional('pubkey', { type: 'string', demandOption: true, describe: 'its public key, ed25519:<64 hex> (gatos key new prints it)' })
      .option('level', { type: 'number', default: 1, describe: 'trust level 0-9 (at most the issuer\'s own)' })
      .option('group', { type: 'string', array: true, default: [] as string[], describe: 'groups the actor belongs to (e.g. leads)' })
      .options(SIGNER_OPTIONS)
      .options(JSON_OPTION),
  handler: (args) => {
    const ws = workspace();
    const graphBytes = must(readWorkspaceFile(ws, GRAPH_FILE));
    const graph = must(readCanonicalJson(graphBytes, GRAPH_FILE));
    const empty = Object.keys((graph.actors as JsonObject | undefined) ?? {}).length === 0;
    const issuer = actingActor(args, empty ? args.actor : undefined);
    const key = signer({ ...args, as: issuer });
    const pub = must(parsePublicKey(args.pubkey));
    if (empty && !bytesEqual(pub, key.publicKey)) {
      throw CliError.from(gateError('USAGE', `the first actor vouches for itself, so ${args.pubkey} must be the key in your key file for ${issuer}`, { hint: `pass the public key gatos key new --actor ${issuer} printed` }));
    }
    if (!Number.isInteger(args.level) || args.level < 0 || args.level > 9) throw new CliError('USAGE', `--level ${args.level} is not an integer from 0 to 9`, 'trust levels run from 0 to 9');
    const was = graph.actors && (graph.actors as JsonObject)[args.actor];
    const next = must(addActor(graph, { actor: args.actor, publicKey: pub, level: args.level, groups: args.group, issuer, now: now() }, key));
    write(ws, GRAPH_FILE, next);
    if (args.json) return printJson({ actor: args.actor, public_key: args.pubkey, level: args.level, issuer, root: empty, rotated: Boolean(was) });
    process.stdout.write(`${was ? 'rotated' : 'trusted'} ${args.actor} (level ${args.level}) with ${args.pubkey}, vouched for by ${issuer}${empty ? ' as a root' : ''}\n`);
    if (was) process.stdout.write('its previous keys sign nothing dated from now on; re-issue its grants with --prev/--revokes, then gatos policy publish\n');
  },
};

interface GrantArgs extends SignerArgs {
  to: string;
  caps: string;
  exp: string;
  audience: string[];
  prev?: string;
  revokes: string[];
  json: boolean;
}

const grantCommand: CommandModule<object, GrantArgs> = {
  command: 'grant',
  describe: 'Grant capabilities to an actor until an expiry (signed by --as); prints the grant id',
  builder: (y) =>
    y
      .option('to', { type: 'string', demandOption: true, describe: 'the subject actor, e.g. user:bob' })
      .option('caps', { type: 'string', demandOption: true, describe: 'comma-separated capabilities, e.g. journal:append,state:checkpoint' })
      .option('exp', { type: 'string', demandOption: true, describe: 'expiry, RFC 3339 UTC (e.g. 2027-01-01T00:00:00Z)' })
      .option('audience', { type: 'string', array: true, default: [] as string[], describe: 'namespaces the grant is limited to (default: all)' })
      .option('prev', { type: 'string', describe: 'the grant id this one succeeds (key rotation)' })
      .option('revokes', { type: 'string', array: true, default: [] as string[], describe: 'grant ids this one makes void' })
      .options(SIGNER_OPTIONS)
      .options(JSON_OPTION),
  handler: (args) => {
    const ws = workspace();
    const issuer = actingActor(args);
    const key = signer(args);
    const exp = must(parseTime(args.exp, '--exp'));
    const trust = trustSet(ws);
    if (!trust.graph.actors.has(issuer)) throw new CliError('POLICY_DENY', `${issuer} is not in the trust graph`, 'only trusted actors issue grants: gatos trust add');
    const g = must(makeGrant({ issuer, subject: args.to, caps: args.caps.split(',').map((c) => c.trim()).filter(Boolean), audience: args.audience, iat: now(), exp, prev: args.prev ?? null, revokes: args.revokes }, key));
    const rel = `gatos/trust/grants/${g.id}.json`;
    trustSet(ws, new Map([[rel, must(canonicalJson(g.json))]]));
    write(ws, rel, g.json);
    process.stderr.write(`wrote ${rel}\n`);
    if (args.json) return printJson({ grant: g.id, file: rel });
    process.stdout.write(`${g.id}\n`);
  },
};

interface RevokeArgs extends SignerArgs {
  grant: string;
  reason: string;
  json: boolean;
}

const revokeCommand: CommandModule<object, RevokeArgs> = {
  command: 'revoke <grant>',
  describe: 'Revoke a grant for good (signed by --as); prints the revocation id',
  builder: (y) =>
    y
      .positional('grant', { type: 'string', demandOption: true, describe: 'the grant id (64 hex)' })
      .option('reason', { type: 'string', demandOption: true, describe: 'why, one line' })
      .options(SIGNER_OPTIONS)
      .options(JSON_OPTION),
  handler: (args) => {
    const ws = workspace();
    const issuer = actingActor(args);
    const key = signer(args);
    const trust = trustSet(ws);
    if (!trust.grants.some((g) => g.id === args.grant)) throw new CliError('NOT_FOUND', `no grant ${args.grant} in gatos/trust/grants/`, 'list them with ls gatos/trust/grants');
    const r = must(makeRevocation({ issuer, grant: args.grant, reason: args.reason, iat: now() }, key));
    const rel = `gatos/trust/revocations/${r.id}.json`;
    const after = trustSet(ws, new Map([[rel, must(canonicalJson(r.json))]]));
    if (!after.caps.voidReason(args.grant)) throw new CliError('POLICY_DENY', `${issuer} may not revoke grant ${args.grant}`, 'the grant\'s issuer, a root, or an actor of at least the issuer\'s level may revoke it', 1);
    write(ws, rel, r.json);
    process.stderr.write(`wrote ${rel}\n`);
    if (args.json) return printJson({ revocation: r.id, grant: args.grant, file: rel });
    process.stdout.write(`${r.id}\n`);
  },
};

export const trustCommand: CommandModule = {
  command: 'trust <command>',
  describe: 'Change the trust graph and grants: trust add | grant | revoke',
  builder: (y) =>
    y
      .command(addCommand as CommandModule<object, AddArgs>)
      .command(grantCommand as CommandModule<object, GrantArgs>)
      .command(revokeCommand as CommandModule<object, RevokeArgs>)
      .demandCommand(1, 'name a trust command: add, grant or revoke'),
  handler: () => {
    throw new CliError('USAGE', 'name a trust command: add, grant or revoke', "try 'gatos trust --help'");
  },
};
