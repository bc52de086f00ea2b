/**
 * `gatos prove --ns <ns>`: a signed commitment proof (src/proof) of the
 * namespace's checkpoint, appended to refs/gatos/audit/proofs/<ns> in this
 * clone (push it with `git push origin refs/gatos/audit/proofs/<ns>`).
 * `gatos verify [<proof>]`: checks a proof offline, from the objects of this
 * clone: the commitment, the signature, the signer's key in the trust of the
 * bundle the proof names, and every root recomputed from the checkpoint and
 * the bundle. docs/formats.md §11, docs/cli.md.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { CommandModule } from 'yargs';
import { actorIdentity } from '../../actors';
import { loadBundle } from '../../bundle';
import { err, gateError, ok, type Result } from '../../core/result';
import { repoNameOf } from '../../gate/resource';
import type { GitRepo } from '../../git';
import { commitmentProof, encodeEnvelope, parseEnvelope, PROOF_ENVELOPE_FILE, type ProofEnvelope } from '../../proof/envelope';
import { proofMessage, proofProblems, PROOFS_REF, readProofCommit, STATE_REF, subjectOf } from '../../push/proofs';
import { CliError, EXIT, setExitCode } from '../errors';
import { must, now, SIGNER_OPTIONS, signer, withRepo, workspace, type SignerArgs } from './producer/common';

/** <repo> as this clone knows the server: --repo-name, git config gatos.repoName, else the origin URL's last segment. */
async function clientRepoName(repo: GitRepo, override: string | undefined): Promise<string> {
  if (override) return override;
  for (const key of ['gatos.repoName', 'remote.origin.url']) {
    const r = await repo.run(['config', '--get', key], { okStatuses: [0, 1] });
    const v = r.ok ? r.value.stdout.toString('utf8').trim() : '';
    if (v) return key === 'gatos.repoName' ? v : repoNameOf(v);
  }
  return repoNameOf(path.dirname(repo.gitDir));
}

async function tipOf(repo: GitRepo, ref: string): Promise<string | undefined> {
  const r = await repo.readRef(ref);
  return must(r.ok ? ok(r.value) : err(gateError('GIT_ERROR', r.error.message)));
}

interface ProveArgs extends SignerArgs {
  ns: string;
  checkpoint?: string;
  'repo-name'?: string;
  json: boolean;
}

export const proveCommand: CommandModule<object, ProveArgs> = {
  command: 'prove',
  describe: 'Write a signed commitment proof of a checkpoint onto refs/gatos/audit/proofs/<ns>',
  builder: (y) =>
    y
      .option('ns', { type: 'string', demandOption: true, describe: 'the namespace whose checkpoint is proved' })
      .option('checkpoint', { type: 'string', describe: 'the checkpoint commit (default: the tip of refs/gatos/state/<ns>)' })
      .option('repo-name', { type: 'string', describe: '<repo> of the resource URI (default: git config gatos.repoName, else the origin URL without .git)' })
      .option('json', { type: 'boolean', default: false, describe: 'print {commit, ref, envelope} as JSON' })
      .options(SIGNER_OPTIONS),
  handler: async (args) => {
    const ws = workspace();
    const key = signer(args);
    const t = now();
    await withRepo(ws, async (repo) => {
      const stateTip = await tipOf(repo, STATE_REF(args.ns));
      const checkpoint = args.checkpoint ?? stateTip;
      if (!checkpoint) throw new CliError('NOT_FOUND', `${STATE_REF(args.ns)} does not exist here`, `fetch it (git fetch origin '+refs/gatos/*:refs/gatos/*') or write a checkpoint with gatos fold checkpoint --ns ${args.ns}`);
      const subject = must(await subjectOf(repo, args.ns, checkpoint, stateTip, await clientRepoName(repo, args['repo-name'])));
      const envelope = must(commitmentProof(subject, key.actor, key, t));
      const bytes = must(encodeEnvelope(envelope));
      const ref = PROOFS_REF(args.ns);
      const commit = must(
        await repo.retryOnConflict(async () => {
          const tip = await repo.readRef(ref);
          if (!tip.ok) return err(gateError('GIT_ERROR', tip.error.message));
          const blob = await repo.writeBlob(bytes);
          if (!blob.ok) return err(gateError('GIT_ERROR', blob.error.message));
          const tree = await repo.writeTree([{ mode: '100644', id: blob.value, name: PROOF_ENVELOPE_FILE }]);
          if (!tree.ok) return tree;
          const c = await repo.commitTree({ tree: tree.value, parents: tip.value ? [tip.value] : [], message: proofMessage(args.ns, checkpoint), author: actorIdentity(key.actor, t) });
          if (!c.ok) return c;
          const u = await repo.updateRefs([{ ref, newId: c.value, expectedId: tip.value ?? repo.zeroId }], { message: 'gatos prove' });
          return u.ok ? ok(c.value) : u;
        }),
      );
      if (args.json) process.stdout.write(`${JSON.stringify({ commit, ref, envelope: JSON.parse(Buffer.from(bytes).toString('utf8')) as unknown })}\n`);
      else process.stdout.write(`proof ${commit} on ${ref}: checkpoint ${checkpoint}, signed by ${key.actor}\npush it: git push origin ${ref}\n`);
    });
  },
};

interface VerifyArgs {
  proof?: string;
  ns?: string;
  file?: string;
  'repo-name'?: string;
  json: boolean;
}

async function envelopeOf(repo: GitRepo, args: VerifyArgs): Promise<Result<{ envelope: ProofEnvelope; at: string }>> {
  if (args.file) {
    let bytes: Buffer;
    try {
      bytes = readFileSync(args.file);
    } catch (e) {
      return err(gateError('NOT_FOUND', `${args.file}: ${(e as Error).message}`));
    }
    const e = parseEnvelope(bytes, args.file);
    return e.ok ? ok({ envelope: e.value, at: args.file }) : e;
  }
  const name = args.proof ?? (args.ns ? PROOFS_REF(args.ns) : undefined);
  if (!name) return err(gateError('USAGE', 'name a proof: a commit, a ref, --ns <ns> or --file <proof.json>'));
  const c = await repo.readCommit(name.startsWith('refs/') ? ((await tipOf(repo, name)) ?? name) : name);
  if (!c.ok) return err(gateError('NOT_FOUND', `${name} is not a proof commit here`, { hint: "fetch the proof refs: git fetch origin '+refs/gatos/audit/proofs/*:refs/gatos/audit/proofs/*'" }));
  const e = await readProofCommit(repo, c.value);
  return e.ok ? ok({ envelope: e.value, at: c.value.id }) : e;
}

export const verifyCommand: CommandModule<object, VerifyArgs> = {
  command: 'verify [proof]',
  describe: 'Check a proof envelope offline: its commitment, signature and every root, from this clone\'s objects',
  builder: (y) =>
    y
      .positional('proof', { type: 'string', describe: 'a proof commit or ref (default: refs/gatos/audit/proofs/<ns>)' })
      .option('ns', { type: 'string', describe: 'verify the tip of refs/gatos/audit/proofs/<ns>' })
      .option('file', { type: 'string', describe: 'a proof.json file instead of a commit' })
      .option('repo-name', { type: 'string', describe: '<repo> of the resource URI (default: as gatos prove)' })
      .option('json', { type: 'boolean', default: false, describe: 'print {ok, proof, problems} as JSON' }),
  handler: async (args) => {
    const ws = workspace(false);
    await withRepo(ws, async (repo) => {
      const { envelope, at } = must(await envelopeOf(repo, args));
      const bundle = must(await loadBundle(repo, envelope.bundle));
      const stateTip = await tipOf(repo, STATE_REF(envelope.ns));
      const problems = must(await proofProblems(repo, envelope, envelope.ns, stateTip, await clientRepoName(repo, args['repo-name']), bundle.trust));
      if (args.json) process.stdout.write(`${JSON.stringify({ ok: problems.length === 0, proof: at, problems })}\n`);
      else if (problems.length === 0) process.stdout.write(`proof ${at} holds: checkpoint ${envelope.checkpoint} of ${envelope.ns}, signed by ${envelope.proof.fairness.actor}\n`);
      else for (const p of problems) process.stdout.write(`PROOF_INVALID ${at}: ${p}\n`);
      setExitCode(problems.length === 0 ? EXIT.OK : EXIT.NEGATIVE);
    });
  },
};
