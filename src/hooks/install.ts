/**
 * Installing the gate into a bare repository: the compiled hooks (an
 * existing hook is kept as `<hook>.gatos-chained` and run after an accepting
 * decision), the template's bundle published as refs/gatos/policies/<id> and
 * active (the producer's publish), and the repository config the gate needs.
 * What was there before is written to $GIT_DIR/gatos/install.json so
 * `--uninstall` restores it. A second run changes nothing and says so. Adapter.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { buildBundle, publishBundle } from '../bundle';
import { canonicalJson } from '../canon/jcs';
import { err, gateError, ok, type Result } from '../core/result';
import { openRepo } from '../git';
import { emptyGraphJson } from '../trust';
import { refuseBadSettings } from '../push/config-check';

export const HOOK_NAMES = ['pre-receive', 'update'] as const;
export type HookFile = (typeof HOOK_NAMES)[number];
export const CHAINED_SUFFIX = '.gatos-chained';
export const HOOK_MARKER = 'gatos-gate hook';
/**
 * Files a hook runs beside itself (hooks/update is a shell stub running
 * update.cjs); installed before the hook, removed with it. Each carries
 * HOOK_MARKER, so one that is not the gate's is never overwritten.
 */
export const HOOK_PART_SUFFIXES = ['.cjs', '.bundle.cjs'] as const;

export interface InstallOptions {
  readonly repo: string;
  readonly template: string;
  readonly templatesDir: string;
  readonly hooksDir: string;
  /** A gatos/trust folder (the operator's root actors and grants) replacing the template's. */
  readonly trustDir?: string;
  readonly hooks: readonly HookFile[];
  readonly now: number;
  /** Let clients fetch refs/gatos/audit/** (the documented opt-in); by default only operators on the server read it. */
  readonly auditReadable?: boolean;
}

interface InstallRecord {
  readonly v: 1;
  /** Config keys we set, with the values they had before (null: unset). */
  readonly config: Record<string, string[] | null>;
  /** Hooks we installed, and whether a previous one was chained. */
  readonly hooks: Record<string, { chained: boolean }>;
}

function git(gitDir: string, args: string[], okStatuses: number[] = [0]): Result<string> {
  const r = spawnSync('git', args, { env: { ...process.env, GIT_DIR: gitDir }, encoding: 'utf8' });
  if (r.status === null || !okStatuses.includes(r.status)) return err(gateError('GIT_ERROR', `git ${args.join(' ')} failed: ${(r.stderr || '').trim()}`));
  return ok(r.stdout);
}

/** A bare repository, or a clear refusal. Returns its absolute git dir. */
export function checkBareRepo(repo: string): Result<string> {
  if (!existsSync(repo)) return err(gateError('NOT_FOUND', `${repo} does not exist`, { hint: 'create it with: git init --bare <path>' }));
  const r = spawnSync('git', ['rev-parse', '--is-bare-repository', '--absolute-git-dir'], { cwd: repo, encoding: 'utf8', env: { ...process.env, GIT_DIR: undefined } as NodeJS.ProcessEnv });
  if (r.status !== 0) return err(gateError('USAGE', `${repo} is not a git repository`, { hint: 'name a bare repository, e.g. /srv/git/project.git' }));
  const [bare, dir] = r.stdout.trim().split('\n');
  if (bare !== 'true') return err(gateError('USAGE', `${repo} is not a bare repository`, { hint: 'the gate guards a repository people push to; install it into the bare repository on the server (git clone --bare, or git init --bare)' }));
  return ok(path.resolve(dir as string));
}

function readFolderFiles(root: string, rel: string, into: Map<string, Uint8Array>): void {
  const abs = path.join(root, rel);
  if (!existsSync(abs)) return;
  for (const name of readdirSync(abs).sort()) {
    const childRel = `${rel}/${name}`;
    const st = statSync(path.join(root, childRel));
    if (st.isDirectory()) readFolderFiles(root, childRel, into);
    else if (st.isFile()) into.set(childRel, new Uint8Array(readFileSync(path.join(root, childRel))));
  }
}

/** The template's workspace files (gatos/...), with the operator's trust folder if given, else an empty graph. */
export function templateFiles(opts: Pick<InstallOptions, 'template' | 'templatesDir' | 'trustDir'>): Result<Map<string, Uint8Array>> {
  const dir = path.join(opts.templatesDir, opts.template);
  if (!/^[a-z0-9-]+$/.test(opts.template) || !existsSync(path.join(dir, 'gatos'))) {
    const known = existsSync(opts.templatesDir) ? readdirSync(opts.templatesDir).filter((n) => existsSync(path.join(opts.templatesDir, n, 'gatos'))).sort() : [];
    return err(gateError('NOT_FOUND', `no template '${opts.template}' in ${opts.templatesDir}`, { hint: `templates: ${known.join(', ') || '(none)'}` }));
  }
  const files = new Map<string, Uint8Array>();
  for (const sub of ['policies', 'folds', 'config']) readFolderFiles(dir, `gatos/${sub}`, files);
  for (const p of [...files.keys()]) if (p.endsWith('.test.yaml') || p.endsWith('.test.json')) files.delete(p);
  if (opts.trustDir) {
    if (!existsSync(path.join(opts.trustDir, 'graph.json'))) return err(gateError('NOT_FOUND', `${opts.trustDir}/graph.json is missing`, { hint: 'name the gatos/trust folder of a workspace (gatos init, gatos trust add)' }));
    const t = new Map<string, Uint8Array>();
    readFolderFiles(opts.trustDir, '.', t);
    for (const [p, b] of t) files.set(`gatos/trust/${p.replace(/^\.\//, '')}`, b);
  } else {
    readFolderFiles(dir, 'gatos/trust', files);
    if (!files.has('gatos/trust/graph.json')) {
      const g = canonicalJson(emptyGraphJson());
      if (!g.ok) return g;
      files.set('gatos/trust/graph.json', g.value);
    }
  }
  return ok(files);
}

/** gatos/config/gate.yaml of the template, as git config values (the gate reads its settings from git config). */
export function gateSettings(files: ReadonlyMap<string, Uint8Array>): Result<Record<string, string[]>> {
  const out: Record<string, string[]> = { 'gatos.actorKind': ['user'] };
  const bytes = files.get('gatos/config/gate.yaml');
  if (!bytes) return ok(out);
  let doc: unknown;
  try {
    doc = YAML.parse(Buffer.from(bytes).toString('utf8'));
  } catch (e) {
    return err(gateError('VALUE_INVALID', `gatos/config/gate.yaml: ${e instanceof Error ? e.message : String(e)}`));
  }
  const d = (doc ?? {}) as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? String(v) : undefined);
  if (str(d.mode)) out['gatos.mode'] = [str(d.mode) as string];
  if (str(d.time_budget_ms)) out['gatos.timeBudgetMs'] = [str(d.time_budget_ms) as string];
  if (str(d.refusals)) out['gatos.output'] = [str(d.refusals) as string];
  const actor = (d.actor ?? {}) as Record<string, unknown>;
  if (Array.isArray(actor.sources)) out['gatos.actorEnv'] = [actor.sources.map(String).join(',')];
  if (actor.map && typeof actor.map === 'object') out['gatos.actorMap'] = Object.entries(actor.map as Record<string, unknown>).map(([k, v]) => `${k} ${String(v)}`);
  if (Array.isArray(d.fast_forward_only)) {
    const extra = d.fast_forward_only.map(String).filter((g) => !g.startsWith('refs/gatos/'));
    if (extra.length > 0) out['gatos.ffOnly'] = extra;
  }
  const events = (d.events ?? {}) as Record<string, unknown>;
  if (str(events.max_clock_skew_s)) out['gatos.maxFutureSkewSeconds'] = [str(events.max_clock_skew_s) as string];
  if (str(events.max_age_s)) out['gatos.maxPastSkewSeconds'] = [str(events.max_age_s) as string];
  const limits = (d.limits ?? {}) as Record<string, unknown>;
  if (str(limits.max_blob_bytes)) out['gatos.maxBlobBytes'] = [str(limits.max_blob_bytes) as string];
  return ok(out);
}

const RECEIVE_CONFIG: Record<string, string[]> = {
  'receive.hideRefs': ['refs/gatos/audit'],
  'receive.advertisePushOptions': ['true'],
};

/**
 * Who reads the audit trail (issue 17): transfer.hideRefs hides it from
 * every client, for fetches (upload-pack: not advertised, not fetchable by
 * name or id) as for pushes; operators read it on the server. The
 * operator's own hidden refs are kept.
 */
const TRANSFER_HIDE = 'transfer.hideRefs';
export const AUDIT_HIDE_VALUE = 'refs/gatos/audit';

/** transfer.hideRefs with the audit trail added (hide) or taken out (the --audit-readable opt-in); null: none left. */
function hiddenFromClients(gitDir: string, hide: boolean): Result<string[] | null> {
  const have = configValues(gitDir, TRANSFER_HIDE);
  if (!have.ok) return have;
  const others = (have.value ?? []).filter((v) => v !== AUDIT_HIDE_VALUE);
  const values = hide ? [...others, AUDIT_HIDE_VALUE] : others;
  return ok(values.length === 0 ? null : values);
}

/**
 * git's own object checks on every push (the first of two layers: the
 * gate's parsers refuse the same objects, src/git/parse-tree.ts and
 * parse-commit.ts). receive.fsckObjects alone leaves some checks at info
 * level (badFilemode), and an operator's receive.fsck.<id> could lower
 * others: the ones the gate relies on are pinned at error. Tags' optional
 * checks (badTagName, missingTaggerEntry) stay git's: old tags lack them.
 */
export const FSCK_ERROR_IDS = [
  // trees
  'duplicateEntries', 'treeNotSorted', 'zeroPaddedFilemode', 'badFilemode', 'emptyName', 'fullPathname', 'hasDot', 'hasDotdot', 'hasDotgit', 'nullSha1', 'badTree',
  // commits (and the identities of tags)
  'missingTree', 'badTreeSha1', 'badParentSha1', 'missingAuthor', 'missingCommitter', 'multipleAuthors', 'missingEmail', 'missingNameBeforeEmail',
  'missingSpaceBeforeEmail', 'missingSpaceBeforeDate', 'badEmail', 'badName', 'badDate', 'badDateOverflow', 'zeroPaddedDate', 'badTimezone',
  'nulInHeader', 'nulInCommit', 'unterminatedHeader',
  // tags
  'badObjectSha1', 'missingObject', 'missingType', 'missingTypeEntry', 'badType', 'missingTag', 'missingTagEntry',
] as const;

export const FSCK_CONFIG: Record<string, string[]> = {
  'receive.fsckObjects': ['true'],
  ...Object.fromEntries(FSCK_ERROR_IDS.map((id) => [`receive.fsck.${id}`, ['error']])),
};

function configValues(gitDir: string, key: string): Result<string[] | null> {
  const r = git(gitDir, ['config', '--get-all', key], [0, 1]);
  if (!r.ok) return r;
  const lines = r.value.split('\n').filter((l) => l !== '');
  return ok(lines.length === 0 ? null : lines);
}

function setConfig(gitDir: string, key: string, values: readonly string[] | null): Result<true> {
  const u = git(gitDir, ['config', '--unset-all', key], [0, 5]);
  if (!u.ok) return u;
  for (const v of values ?? []) {
    const a = git(gitDir, ['config', '--add', key, v]);
    if (!a.ok) return a;
  }
  return ok(true);
}

const sameValues = (a: readonly string[] | null, b: readonly string[] | null) => JSON.stringify(a ?? []) === JSON.stringify(b ?? []);

function hooksPath(gitDir: string): Result<string> {
  const r = git(gitDir, ['rev-parse', '--git-path', 'hooks']);
  return r.ok ? ok(path.resolve(gitDir, r.value.trim())) : r;
}

const recordFile = (gitDir: string) => path.join(gitDir, 'gatos', 'install.json');

function readRecord(gitDir: string): InstallRecord | undefined {
  try {
    return JSON.parse(readFileSync(recordFile(gitDir), 'utf8')) as InstallRecord;
  } catch {
    return undefined;
  }
}

export function isOurHook(file: string): boolean {
  try {
    return readFileSync(file, 'utf8').slice(0, 400).includes(HOOK_MARKER);
  } catch {
    return false;
  }
}

/** Writes beside, then renames over: a push running the hook meanwhile sees the old file or the new one, never half of one. */
function replaceFile(target: string, bytes: Buffer): void {
  const tmp = `${target}.gatos-new`;
  writeFileSync(tmp, bytes, { mode: 0o755 });
  chmodSync(tmp, 0o755);
  renameSync(tmp, target);
}

export async function install(opts: InstallOptions): Promise<Result<string[]>> {
  const dir = checkBareRepo(opts.repo);
  if (!dir.ok) return dir;
  const gitDir = dir.value;
  const said: string[] = [];
  for (const h of opts.hooks) {
    if (!existsSync(path.join(opts.hooksDir, h))) return err(gateError('NOT_FOUND', `the built hook ${path.join(opts.hooksDir, h)} is missing`, { hint: 'run npm ci && npm run build in the gatos-gate checkout first' }));
  }
  const files = templateFiles(opts);
  if (!files.ok) return files;
  // The repository's gatos.* settings and the template's gate.yaml, checked before anything is written.
  const checked = refuseBadSettings(gitDir, files.value, opts.template);
  if (!checked.ok) return checked;
  said.push(...checked.value);
  const settings = gateSettings(files.value);
  if (!settings.ok) return settings;
  const built = buildBundle(files.value);
  if (!built.ok) return err(gateError(built.error.code, `template ${opts.template}: ${built.error.message}${built.diagnostics.length ? `\n${built.diagnostics.map((d) => `${d.location.file}:${d.location.line}:${d.location.column}: ${d.message}`).join('\n')}` : ''}`, built.error.hint ? { hint: built.error.hint } : {}));

  const prev = readRecord(gitDir);
  const record: InstallRecord = { v: 1, config: { ...(prev?.config ?? {}) }, hooks: { ...(prev?.hooks ?? {}) } };

  // Hooks.
  const hp = hooksPath(gitDir);
  if (!hp.ok) return hp;
  mkdirSync(hp.value, { recursive: true });
  const parts = (h: HookFile) => HOOK_PART_SUFFIXES.map((x) => h + x).filter((p) => existsSync(path.join(opts.hooksDir, p)));
  // Refused before anything is written, so a refusal leaves the repository as it was.
  for (const h of opts.hooks) {
    for (const part of parts(h)) {
      const target = path.join(hp.value, part);
      if (existsSync(target) && !isOurHook(target)) return err(gateError('USAGE', `hooks/${part} exists and is not the gate's`, { hint: `move it away; the gate's ${h} hook runs its own ${part}` }));
    }
  }
  for (const h of opts.hooks) {
    for (const part of parts(h)) {
      const target = path.join(hp.value, part);
      const source = readFileSync(path.join(opts.hooksDir, part));
      const had = existsSync(target);
      if (had && readFileSync(target).equals(source)) continue;
      replaceFile(target, source);
      said.push(`${had ? 'updated' : 'installed'} hooks/${part}`);
    }
    const target = path.join(hp.value, h);
    const source = readFileSync(path.join(opts.hooksDir, h));
    if (existsSync(target) && isOurHook(target)) {
      if (!readFileSync(target).equals(source)) {
        replaceFile(target, source);
        said.push(`updated hooks/${h}`);
      }
    } else {
      let chained = false;
      if (existsSync(target)) {
        if (existsSync(target + CHAINED_SUFFIX)) return err(gateError('USAGE', `both hooks/${h} and hooks/${h}${CHAINED_SUFFIX} exist`, { hint: `move one of them away; the gate keeps your hook as ${h}${CHAINED_SUFFIX}` }));
        renameSync(target, target + CHAINED_SUFFIX);
        chained = true;
        said.push(`kept your hooks/${h} as hooks/${h}${CHAINED_SUFFIX} (runs after the gate accepts)`);
      }
      replaceFile(target, source);
      record.hooks[h] = { chained: chained || (record.hooks[h]?.chained ?? false) };
      said.push(`installed hooks/${h}`);
    }
    chmodSync(target, 0o755);
  }

  // Config.
  const wanted: Record<string, string[] | null> = { ...RECEIVE_CONFIG, ...FSCK_CONFIG, ...settings.value };
  const hidden = hiddenFromClients(gitDir, opts.auditReadable !== true);
  if (!hidden.ok) return hidden;
  wanted[TRANSFER_HIDE] = hidden.value;
  const fsckIds: string[] = [];
  for (const [key, values] of Object.entries(wanted)) {
    const have = configValues(gitDir, key);
    if (!have.ok) return have;
    if (sameValues(have.value, values)) continue;
    if (!(key in record.config)) record.config[key] = have.value;
    const s = setConfig(gitDir, key, values);
    if (!s.ok) return s;
    if (key.startsWith('receive.fsck.')) fsckIds.push(key.slice('receive.fsck.'.length));
    else said.push(values === null ? `unset ${key}` : `set ${key} = ${values.join(', ')}`);
  }
  // One line for git's object checks, not one per id.
  if (fsckIds.length > 0) said.push(`set receive.fsck.<id> = error for ${fsckIds.join(', ')}`);

  // Bundle.
  const opened = await openRepo(gitDir, { env: { ...process.env, GIT_DIR: undefined } as NodeJS.ProcessEnv });
  if (!opened.ok) return err(opened.error);
  try {
    const pub = await publishBundle(opened.value, built.bundle, { now: opts.now });
    if (!pub.ok) return pub;
    if (pub.value.changed) said.push(`published the ${opts.template} bundle ${pub.value.id} as refs/gatos/policies/${pub.value.id} and refs/gatos/policies/active (commit ${pub.value.commit})`);
  } finally {
    await opened.value.close();
  }

  mkdirSync(path.dirname(recordFile(gitDir)), { recursive: true, mode: 0o700 });
  const text = `${JSON.stringify(record, null, 2)}\n`;
  if (!existsSync(recordFile(gitDir)) || readFileSync(recordFile(gitDir), 'utf8') !== text) writeFileSync(recordFile(gitDir), text);
  return ok(said);
}

export function uninstall(repo: string): Result<string[]> {
  const dir = checkBareRepo(repo);
  if (!dir.ok) return dir;
  const gitDir = dir.value;
  const rec = readRecord(gitDir);
  if (!rec) return ok([]);
  const said: string[] = [];
  const hp = hooksPath(gitDir);
  if (!hp.ok) return hp;
  for (const [h, info] of Object.entries(rec.hooks)) {
    const target = path.join(hp.value, h);
    if (existsSync(target) && isOurHook(target)) {
      rmSync(target);
      said.push(`removed hooks/${h}`);
    }
    for (const part of HOOK_PART_SUFFIXES.map((x) => target + x)) {
      if (existsSync(part) && isOurHook(part)) {
        rmSync(part);
        said.push(`removed hooks/${path.basename(part)}`);
      }
    }
    if (info.chained && existsSync(target + CHAINED_SUFFIX)) {
      renameSync(target + CHAINED_SUFFIX, target);
      said.push(`restored your hooks/${h}`);
    }
  }
  for (const [key, values] of Object.entries(rec.config)) {
    const s = setConfig(gitDir, key, values);
    if (!s.ok) return s;
    said.push(values === null ? `unset ${key}` : `restored ${key} = ${values.join(', ')}`);
  }
  rmSync(recordFile(gitDir));
  rmSync(path.join(gitDir, 'gatos', 'verdicts'), { recursive: true, force: true });
  rmSync(path.join(gitDir, 'gatos', 'cache'), { recursive: true, force: true });
  said.push('kept refs/gatos/policies/* and the audit trail refs/gatos/audit/policy (delete them with git update-ref -d if you mean to)');
  return ok(said);
}


