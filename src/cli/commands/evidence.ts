/**
 * `gatos evidence pack --ns <ns> [--since <time>] --out <file> [--repo <git-dir>]`:
 * one canonical JSON archive (src/evidence/pack.ts) of the audit entries,
 * the namespace's proofs and checkpoints, the bundles in force (each with its
 * trust set) and the journal windows the checkpoints fold, every object
 * whole. `gatos evidence verify <file>`: checks it offline, with no
 * repository. docs/formats.md §12, docs/cli.md.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { CommandModule } from 'yargs';
import { ACTIVE_POLICY_REF } from '../../actors';
import { readResumePoint } from '../../checkpoint/make';
import { err, gateError, ok, type Result } from '../../core/result';
import { AUDIT_POLICY_REF, readGateConfig } from '../../gate';
import { openRepo, type GitRepo } from '../../git';
import { encodePack, packDigest, readPack, verifyPack, type PackObject, type Window } from '../../evidence/pack';
import { PROOFS_REF, readProofCommit, STATE_REF } from '../../push/proofs';
import { repoNameFor } from '../../push/repo-name';
import { readSettings } from '../../push/settings';
import { parseTime } from '../../trust';
import { CliError, EXIT, setExitCode } from '../errors';
import { snakeKeys } from '../json';
import { exitFor, must } from './producer/common';

function gitOk<T>(r: Result<T, { message: string }>): Result<T> {
  return r.ok ? r : err(gateError('GIT_ERROR', r.error.message));
}

async function lines(repo: GitRepo, args: string[], input?: string): Promise<Result<string[]>> {
  const r = gitOk(await repo.run(args, input !== undefined ? { input } : {}));
  if (!r.ok) return r;
  return ok(r.value.stdout.toString('utf8').split('\n').filter((l) => l !== ''));
}

/** The commits of `ref` (first parents, newest first), those since `since` only when given; [] when the ref does not exist. */
async function history(repo: GitRepo, ref: string, since: number | null): Promise<Result<{ tip?: string; ids: string[] }>> {
  const tip = gitOk(await repo.readRef(ref));
  if (!tip.ok) return tip;
  if (!tip.value) return ok({ ids: [] });
  const ids = await lines(repo, ['rev-list', '--first-parent', ...(since !== null ? [`--since=@${since}`] : []), tip.value, '--']);
  return ids.ok ? ok({ tip: tip.value, ids: ids.value }) : ids;
}

export async function collectPack(repo: GitRepo, ns: string, since: number | null, repoName: string): Promise<Result<Uint8Array>> {
  const refs = new Map<string, string>();
  const lists: Record<string, string[]> = {};
  for (const [name, ref] of [['audit', AUDIT_POLICY_REF], ['proofs', PROOFS_REF(ns)], ['state', STATE_REF(ns)]] as const) {
    const h = await history(repo, ref, since);
    if (!h.ok) return h;
    if (h.value.tip) refs.set(ref, h.value.tip);
    lists[name] = h.value.ids;
  }
  const active = gitOk(await repo.readRef(ACTIVE_POLICY_REF));
  if (!active.ok) return active;
  if (active.value) refs.set(ACTIVE_POLICY_REF, active.value);
  const checkpoints = [...(lists.state ?? [])];
  for (const id of lists.proofs ?? []) {
    const c = await repo.readCommit(id);
    if (!c.ok) return err(gateError('GIT_ERROR', c.error.message));
    const e = await readProofCommit(repo, c.value);
    if (e.ok && !checkpoints.includes(e.value.checkpoint)) checkpoints.push(e.value.checkpoint);
  }
  const bundles = new Set<string>(active.value ? [active.value] : []);
  const windows: Window[] = [];
  const commits = new Set<string>([...(lists.audit ?? []), ...(lists.proofs ?? []), ...checkpoints]);
  for (const id of checkpoints) {
    const cp = await readResumePoint(repo, id);
    if (!cp.ok) return cp;
    bundles.add(cp.value.proof.policyRoot);
    for (const w of cp.value.proof.window) {
      const key = `${w.journal} ${w.start ?? ''} ${w.end}`;
      if (windows.some((x) => `${x.journal} ${x.start ?? ''} ${x.end}` === key)) continue;
      windows.push({ journal: w.journal, start: w.start, end: w.end });
      const ids = await lines(repo, ['rev-list', '--first-parent', w.end, ...(w.start ? [`^${w.start}`] : []), '--']);
      if (!ids.ok) return ids;
      for (const c of ids.value) commits.add(c);
    }
  }
  for (const b of bundles) commits.add(b);
  const listed = await lines(repo, ['rev-list', '--objects', '--no-walk', '--stdin'], `${[...commits].join('\n')}\n`);
  if (!listed.ok) return listed;
  const objects = new Map<string, PackObject>();
  for (const l of listed.value) {
    const id = l.split(' ')[0] as string;
    if (objects.has(id)) continue;
    const o = gitOk(await repo.readObject(id));
    if (!o.ok) return o;
    if (o.value.type === 'tag') continue;
    objects.set(id, { type: o.value.type, data: o.value.data });
  }
  return encodePack({
    format: repo.format, repo: repoName, ns, since, refs,
    audit: lists.audit ?? [], proofs: lists.proofs ?? [], checkpoints, bundles: [...bundles].sort(),
    journals: windows, objects,
  });
}

interface PackArgs {
  repo: string;
  ns: string;
  since?: string;
  out: string;
}

const packCommand: CommandModule<object, PackArgs> = {
  command: 'pack',
  describe: 'Write an evidence pack of a namespace: audit entries, proofs, checkpoints, bundles in force, journal windows',
  builder: (y) =>
    y
      .option('repo', { type: 'string', default: '.', describe: 'the repository (the bare repository on the server, or a clone that fetched refs/gatos/*)' })
      .option('ns', { type: 'string', demandOption: true, describe: 'the namespace' })
      .option('since', { type: 'string', describe: 'only audit entries, proofs and checkpoints written since this time (RFC 3339 UTC)' })
      .option('out', { type: 'string', demandOption: true, describe: 'the file to write' }),
  handler: async (args) => {
    let since: number | null = null;
    if (args.since !== undefined) since = must(parseTime(args.since, '--since'));
    const opened = await openRepo(args.repo, { env: { ...process.env, GIT_DIR: undefined } as NodeJS.ProcessEnv });
    if (!opened.ok) throw new CliError('NOT_FOUND', `${args.repo}: ${opened.error.message}`, 'name a repository with --repo');
    const repo = opened.value;
    try {
      const settings = await readSettings(repo);
      const config = settings.ok ? settings.value : must(readGateConfig([]));
      const bytes = must(await collectPack(repo, args.ns, since, repoNameFor(repo, config)));
      writeFileSync(args.out, bytes);
      process.stdout.write(`evidence pack ${args.out} (${packDigest(bytes)})\n`);
    } finally {
      await repo.close();
    }
  },
};

interface VerifyArgs {
  file: string;
  json: boolean;
}

const verifyPackCommand: CommandModule<object, VerifyArgs> = {
  command: 'verify <file>',
  describe: 'Check an evidence pack offline, with no repository',
  builder: (y) => y.positional('file', { type: 'string', demandOption: true }).option('json', { type: 'boolean', default: false, describe: 'print the report as JSON' }),
  handler: (args) => {
    let bytes: Buffer;
    try {
      bytes = readFileSync(args.file);
    } catch (e) {
      throw new CliError('NOT_FOUND', `${args.file}: ${(e as Error).message}`);
    }
    const pack = readPack(bytes, args.file);
    if (!pack.ok) throw CliError.from(pack.error, exitFor(pack.error));
    const r = verifyPack(pack.value);
    if (args.json) process.stdout.write(`${JSON.stringify(snakeKeys(r))}\n`);
    else {
      process.stdout.write(`${r.ok ? 'ok' : 'PROOF_INVALID'} ${args.file}: ${r.auditEntries} audit entries, ${r.proofs} proofs, ${r.checkpoints} checkpoints, ${r.bundles} bundles, ${r.journalCommits} journal commits\n`);
      for (const p of r.problems) process.stdout.write(`  ${p}\n`);
    }
    setExitCode(r.ok ? EXIT.OK : EXIT.NEGATIVE);
  },
};

export const evidenceCommand: CommandModule<object, object> = {
  command: 'evidence <command>',
  describe: 'Evidence packs for auditors: write one, verify one offline',
  builder: (y) => y.command(packCommand as CommandModule<object, PackArgs>).command(verifyPackCommand as CommandModule<object, VerifyArgs>).demandCommand(1, 'name an evidence command: pack, verify'),
  handler: () => {
    throw new CliError('USAGE', 'name an evidence command: pack, verify', "try 'gatos evidence --help'");
  },
};
