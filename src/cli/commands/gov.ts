/**
 * `gatos gov propose|approve|grant|revoke|status`: governance statements as
 * local refs (docs/governance.md), pushed like any ref. A proposal moves
 * refs to one commit (by default: the bundle `gatos policy publish` just
 * made active); approvals bind its digest and the bundle it is judged by;
 * the grant carries both with the Proof-of-Consensus for a quorum rule of
 * that bundle's policy.
 */
import type { CommandModule } from 'yargs';
import { ACTIVE_POLICY_REF, APPROVALS_PREFIX, POLICIES_PREFIX, govRef, type GovKind } from '../../actors';
import { nextUlid } from '../../canon/ulid';
import { err, gateError, ok, type Result } from '../../core/result';
import { VerifyMemo } from '../../events';
import { buildGovCommit } from '../../events/gov-commit';
import type { GitRepo } from '../../git';
import { bundleAt, type GateBundle } from '../../push/active-bundle';
import { readGovStatement } from '../../push/gov';
import { governance as gov, parseTime, type JsonObject } from '../../trust';
import { random80 } from '../../workspace/clock';
import { ObjectBatch } from '../../workspace/object-batch';
import { CliError } from '../errors';
import { JSON_OPTION, printJson } from '../json';
import { actingActor, must, now, SIGNER_OPTIONS, signer, withRepo, workspace, type SignerArgs } from './producer/common';

const DAY = 86400;

async function write(repo: GitRepo, kind: GovKind, id: string, statement: JsonObject, actor?: string): Promise<{ ref: string; commit: string }> {
  const ref = must(govRef(kind, id, actor));
  const built = must(buildGovCommit(repo.format, kind, statement));
  const batch = new ObjectBatch(repo.format);
  batch.addAll(built.objects);
  must(await batch.write(repo));
  const old = must(await repo.readRef(ref));
  if (old !== undefined && kind !== 'grant') throw new CliError('USAGE', `${ref} exists: governance statements are made once`, kind === 'approval' ? 'an approval stands until it expires' : 'propose again under a new id');
  must(await repo.updateRefs([{ ref, newId: built.commit, expectedId: old ?? repo.zeroId }], { message: `gatos gov ${kind}` }));
  return { ref, commit: built.commit };
}

async function statement(repo: GitRepo, kind: GovKind, id: string, actor?: string): Promise<JsonObject | undefined> {
  const ref = must(govRef(kind, id, actor));
  const tip = must(await repo.readRef(ref));
  return tip === undefined ? undefined : must(await readGovStatement(repo, tip, kind));
}

async function proposalOf(repo: GitRepo, id: string): Promise<gov.Proposal> {
  const s = await statement(repo, 'proposal', id);
  if (!s) throw new CliError('NOT_FOUND', `proposal ${id} is not in this repository`, `fetch it: git fetch origin 'refs/gatos/proposals/*:refs/gatos/proposals/*'`);
  return must(gov.readProposal(s));
}

async function approvalsOf(repo: GitRepo, id: string): Promise<JsonObject[]> {
  const refs = must(await repo.forEachRef([`${APPROVALS_PREFIX}${id}/`]));
  const out: JsonObject[] = [];
  for (const r of refs) {
    const s = await readGovStatement(repo, r.id, 'approval');
    if (s.ok) out.push(s.value);
  }
  return out;
}

async function baseBundle(repo: GitRepo, p: gov.Proposal): Promise<GateBundle> {
  // A verified record in the clone's own cache spares recompiling the bundle for each of propose, approve and grant.
  return must(await bundleAt(repo, p.base, new VerifyMemo(), true));
}

/** The quorum rule a grant is for: --rule, else the base policy's only quorum rule. */
function quorumRule(b: GateBundle, wanted: string | undefined): Result<{ rule: string; quorum: gov.Quorum }> {
  const found: { rule: string; quorum: gov.Quorum }[] = [];
  for (const p of b.policy.rules) {
    for (const e of p.rule.allow) {
      const g = e[2];
      const n = e[3];
      if (e[0] === 'call' && e[1] === 'quorum' && Array.isArray(g) && g[0] === 'lit' && typeof g[1] === 'string' && Array.isArray(n) && n[0] === 'lit' && typeof n[1] === 'number') found.push({ rule: p.rule.id, quorum: { of: g[1], at_least: n[1] } });
    }
  }
  const pick = wanted === undefined ? found : found.filter((f) => f.rule === wanted);
  if (pick.length === 1) return ok(pick[0] as { rule: string; quorum: gov.Quorum });
  if (pick.length === 0) return err(gateError('NOT_FOUND', wanted === undefined ? `the policy of bundle ${b.commit} has no quorum rule` : `rule ${wanted} of bundle ${b.commit} has no quorum`, { hint: 'a quorum rule has quorum: { of: "@group", at_least: n } (docs/rgs.md)' }));
  return err(gateError('USAGE', `the policy has ${pick.length} quorum rules: ${pick.map((f) => f.rule).join(', ')}`, { hint: 'name one with --rule' }));
}

interface ProposeArgs extends SignerArgs {
  commit?: string;
  ref: string[];
  base?: string;
  title?: string;
  json: boolean;
}

const proposeCommand: CommandModule<object, ProposeArgs> = {
  command: 'propose',
  describe: 'Propose moving refs to a commit (default: the local active bundle), signed by --as; prints the proposal id',
  builder: (y) =>
    y
      .option('commit', { type: 'string', describe: 'the commit the refs move to (default: refs/gatos/policies/active)' })
      .option('ref', { type: 'string', array: true, default: [] as string[], describe: 'refs the change moves (default: every local refs/gatos/policies/* at the commit)' })
      .option('base', { type: 'string', describe: "the active bundle the change is judged by (default: the commit's parent)" })
      .option('title', { type: 'string', describe: 'one line saying what the change is' })
      .options(SIGNER_OPTIONS)
      .options(JSON_OPTION),
  handler: async (args) => {
    const ws = workspace();
    const actor = actingActor(args);
    const key = signer(args);
    const t = now();
    await withRepo(ws, async (repo) => {
      const commit = args.commit ?? must(await repo.readRef(ACTIVE_POLICY_REF));
      if (!commit) throw new CliError('NOT_FOUND', 'no commit to propose: refs/gatos/policies/active is missing', 'run gatos policy publish first, or pass --commit');
      const refs = args.ref.length > 0 ? args.ref : must(await repo.forEachRef([POLICIES_PREFIX])).filter((r) => r.id === commit).map((r) => r.ref);
      if (refs.length === 0) throw new CliError('USAGE', `no ref points at ${commit}`, 'pass --ref for each ref the change moves');
      const base = args.base ?? must(await repo.readCommit(commit)).parents[0];
      if (!base) throw new CliError('USAGE', `${commit} has no parent to be judged by`, 'pass --base <the active bundle commit>');
      const id = must(nextUlid(t * 1000, random80()));
      const s = must(gov.makeProposal({ id, actor, ts: t, base, commit, refs, ...(args.title !== undefined ? { title: args.title } : {}) }, key));
      const w = await write(repo, 'proposal', id, s);
      const p = must(gov.readProposal(s));
      if (args.json) return printJson({ proposal_id: id, digest: p.digest, ref: w.ref, commit, refs: p.refs, base });
      process.stderr.write(`wrote ${w.ref} (digest ${p.digest}); push it with the approvals and the grant\n`);
      process.stdout.write(`${id}\n`);
    });
  },
};

interface ApproveArgs extends SignerArgs {
  id: string;
  exp?: string;
  json: boolean;
}

const approveCommand: CommandModule<object, ApproveArgs> = {
  command: 'approve <id>',
  describe: 'Approve a proposal (its exact digest, under the bundle it is judged by), signed by --as',
  builder: (y) =>
    y
      .positional('id', { type: 'string', demandOption: true, describe: 'the proposal id (a ULID)' })
      .option('exp', { type: 'string', describe: 'when the approval expires, RFC 3339 UTC (default: 7 days from now)' })
      .options(SIGNER_OPTIONS)
      .options(JSON_OPTION),
  handler: async (args) => {
    const ws = workspace();
    const actor = actingActor(args);
    const key = signer(args);
    const t = now();
    const exp = args.exp === undefined ? t + 7 * DAY : must(parseTime(args.exp, '--exp'));
    await withRepo(ws, async (repo) => {
      const p = await proposalOf(repo, args.id);
      const s = must(gov.makeApproval(p, { actor, ts: t, exp, bundle: p.base }, key));
      const w = await write(repo, 'approval', p.id, s, actor);
      const a = must(gov.readApproval(s));
      if (args.json) return printJson({ proposal_id: p.id, proposal: p.digest, approval: a.digest, actor, ref: w.ref, exp: a.exp });
      process.stdout.write(`${actor} approved ${p.id} (${w.ref})\n`);
    });
  },
};

interface GrantArgs extends SignerArgs {
  id: string;
  rule?: string;
  json: boolean;
}

const grantCommand: CommandModule<object, GrantArgs> = {
  command: 'grant <id>',
  describe: "Make the grant: the proposal, its local approvals and the Proof-of-Consensus for the policy's quorum rule",
  builder: (y) =>
    y
      .positional('id', { type: 'string', demandOption: true, describe: 'the proposal id' })
      .option('rule', { type: 'string', describe: 'the quorum rule (default: the only one of the policy)' })
      .options(SIGNER_OPTIONS)
      .options(JSON_OPTION),
  handler: async (args) => {
    const ws = workspace();
    const actor = actingActor(args);
    const key = signer(args);
    const t = now();
    await withRepo(ws, async (repo) => {
      const p = await proposalOf(repo, args.id);
      const b = await baseBundle(repo, p);
      const q = must(quorumRule(b, args.rule));
      const approvals = await approvalsOf(repo, p.id);
      const s = must(gov.makeGovGrant(p, approvals, { actor, ts: t, rule: q.rule, quorum: q.quorum }, key));
      const w = await write(repo, 'grant', p.id, s);
      const tally = gov.tally(approvals, p, { graph: b.trust.graph, bundle: p.base, now: t });
      const members = gov.groupMembers(b.trust.graph, q.quorum.of);
      const counted = tally.approvers.filter((a) => members.includes(a));
      if (args.json) return printJson({ proposal_id: p.id, ref: w.ref, rule: q.rule, quorum: q.quorum, poc: s.poc, approvals: approvals.length, counted, met: counted.length >= q.quorum.at_least });
      process.stdout.write(`${w.ref}: ${counted.length} of ${q.quorum.at_least} approvals of ${q.quorum.of} (${s.poc})\n`);
      if (counted.length < q.quorum.at_least) process.stderr.write('the quorum is not met: the gate will refuse this grant\n');
    });
  },
};

interface RevokeArgs extends SignerArgs {
  id: string;
  reason: string;
  json: boolean;
}

const revokeCommand: CommandModule<object, RevokeArgs> = {
  command: 'revoke <id>',
  describe: "Revoke a proposal's grant for good (the proposer or a member of the quorum's group)",
  builder: (y) =>
    y
      .positional('id', { type: 'string', demandOption: true, describe: 'the proposal id' })
      .option('reason', { type: 'string', demandOption: true, describe: 'why, one line' })
      .options(SIGNER_OPTIONS)
      .options(JSON_OPTION),
  handler: async (args) => {
    const ws = workspace();
    const actor = actingActor(args);
    const key = signer(args);
    const t = now();
    await withRepo(ws, async (repo) => {
      const p = await proposalOf(repo, args.id);
      const s = must(gov.makeGovRevocation(p, { actor, ts: t, reason: args.reason }, key));
      const w = await write(repo, 'revocation', p.id, s);
      if (args.json) return printJson({ proposal_id: p.id, ref: w.ref, actor });
      process.stdout.write(`${w.ref}\n`);
    });
  },
};

interface StatusArgs {
  id: string;
  rule?: string;
  json: boolean;
}

const statusCommand: CommandModule<object, StatusArgs> = {
  command: 'status <id>',
  describe: 'Show a proposal, which approvals count toward its quorum and which are missing, and its grant',
  builder: (y) =>
    y
      .positional('id', { type: 'string', demandOption: true, describe: 'the proposal id' })
      .option('rule', { type: 'string', describe: 'the quorum rule (default: the only one of the policy)' })
      .options(JSON_OPTION),
  handler: async (args) => {
    const ws = workspace();
    const t = now();
    await withRepo(ws, async (repo) => {
      const p = await proposalOf(repo, args.id);
      const b = await baseBundle(repo, p);
      const q = must(quorumRule(b, args.rule));
      const ctx = { graph: b.trust.graph, bundle: p.base, now: t };
      const approvals = (await approvalsOf(repo, p.id)).map((o) => {
        const v = gov.verifyApproval(o, p, ctx);
        return { actor: String(o.actor), valid: v.ok, ...(v.ok ? {} : { reason: v.error.message }) };
      });
      const members = gov.groupMembers(b.trust.graph, q.quorum.of);
      const counted = [...new Set(approvals.filter((a) => a.valid && members.includes(a.actor)).map((a) => a.actor))].sort();
      const missing = members.filter((m) => !counted.includes(m));
      const gs = await statement(repo, 'grant', p.id);
      const g = gs ? gov.readGovGrant(gs) : undefined;
      const poc = g?.ok ? gov.verifyGovGrant(g.value, ctx) : undefined;
      const revoked = (await statement(repo, 'revocation', p.id)) !== undefined;
      const out = {
        proposal_id: p.id,
        digest: p.digest,
        actor: p.actor,
        commit: p.commit,
        refs: p.refs,
        base: p.base,
        rule: q.rule,
        quorum: q.quorum,
        approvals,
        counted,
        missing,
        met: counted.length >= q.quorum.at_least,
        grant: gs ? { present: true, valid: poc?.ok === true, ...(poc && !poc.ok ? { reason: poc.error.message } : g && !g.ok ? { reason: g.error.message } : {}) } : { present: false },
        revoked,
      };
      if (args.json) return printJson(out);
      process.stdout.write(`proposal ${p.id} by ${p.actor}: move ${p.refs.join(', ')} to ${p.commit}\n`);
      process.stdout.write(`quorum ${q.rule}: ${counted.length} of ${q.quorum.at_least} approvals of ${q.quorum.of}${out.met ? ' (met)' : `; missing ${q.quorum.at_least - counted.length} more from ${missing.join(', ') || 'none'}`}\n`);
      for (const a of approvals) process.stdout.write(`  ${a.valid ? 'ok ' : 'bad'} ${a.actor}${a.reason ? `: ${a.reason}` : ''}\n`);
      process.stdout.write(`grant: ${gs ? (poc?.ok === true ? 'present, Proof-of-Consensus verifies' : `present, invalid: ${String((out.grant as { reason?: string }).reason)}`) : 'none'}${revoked ? ' (revoked)' : ''}\n`);
    });
  },
};

export const govCommand: CommandModule = {
  command: 'gov <command>',
  describe: 'Governance: propose | approve | grant | revoke | status (N-of-M approvals for policy and trust changes)',
  builder: (y) =>
    y
      .command(proposeCommand as CommandModule<object, ProposeArgs>)
      .command(approveCommand as CommandModule<object, ApproveArgs>)
      .command(grantCommand as CommandModule<object, GrantArgs>)
      .command(revokeCommand as CommandModule<object, RevokeArgs>)
      .command(statusCommand as CommandModule<object, StatusArgs>)
      .demandCommand(1, 'name a gov command: propose, approve, grant, revoke or status'),
  handler: () => {
    throw new CliError('USAGE', 'name a gov command: propose, approve, grant, revoke or status', "try 'gatos gov --help'");
  },
};
