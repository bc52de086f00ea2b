/**
 * Installing the gate into a bare repository: the compiled hooks (an
 * existing hook is kept as `<hook>.gatos-chained` and run after an accepting
 * decision), the template's bundle published as refs/gatos/policies/<id> and
 * active (the producer's publish), and the repository config the gate needs.
 * What was there before is written to $GIT_DIR/gatos/install.json so
 * `--uninstall` restores it. A second run changes nothing and says so. Adapter.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, readlinkSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { buildBundle, declaredBundleIds, publishBundle } from '../bundle';
import { canonicalJson } from '../canon/jcs';
import { HOST_PROFILES, type HostName } from '../gate/hosts';
import { err, gateError, ok, type Result } from '../core/result';
import { openRepo } from '../git';
import { emptyGraphJson } from '../trust';
import { refuseBadSettings } from '../push/config-check';
import { isOurHook } from '../push/hook-marker';

export { isOurHook };

export const HOOK_NAMES = ['pre-receive', 'update'] as const;
export type HookFile = (typeof HOOK_NAMES)[number];
export const CHAINED_SUFFIX = '.gatos-chained';
/**
 * Files a hook runs beside itself (hooks/update is a shell stub running
 * update.cjs; <hook>.compilers.cjs loads only to rebuild a policy bundle); installed before the hook, removed with it. Each carries
 * HOOK_MARKER (src/push/hook-marker.ts), so one that is not the gate's is never overwritten.
 */
export const HOOK_PART_SUFFIXES = ['.cjs', '.bundle.cjs', '.compilers.cjs'] as const;

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
  /** The Git host (docs/hosts/): where the hook goes and which variables name the pusher. Default plain. */
  readonly host?: HostName;
  /** Say what would change and change nothing. */
  readonly dryRun?: boolean;
}

interface InstallRecord {
  readonly v: 1;
  /** Config keys we set, with the values they had before (null: unset). */
  readonly config: Record<string, string[] | null>;
  /** Hooks we installed, and whether a previous one was chained. */
  readonly hooks: Record<string, { chained: boolean }>;
  /** Multi-valued keys we added one value to (receive/transfer.hideRefs): the value, and whether it was there before us. */
  readonly added?: Record<string, { value: string; had: boolean }>;
  /** Files we placed outside hooks/<name> (a host's pre-receive.d/), relative to the git dir. */
  readonly files?: string[];
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
  'receive.advertisePushOptions': ['true'],
};
/** Hidden from pushes too (beside the operator's own hidden refs, never instead of them). */
const RECEIVE_HIDE = 'receive.hideRefs';

/**
 * Who reads the audit trail (issue 17): transfer.hideRefs hides it from
 * every client, for fetches (upload-pack: not advertised, not fetchable by
 * name or id) as for pushes; operators read it on the server. The
 * operator's own hidden refs are kept.
 */
const TRANSFER_HIDE = 'transfer.hideRefs';
/**
 * The gate's trail only: proof envelopes beside it (refs/gatos/audit/proofs/<ns>)
 * are pushed by clients and fetched by verifiers (decision 0029).
 */
export const AUDIT_HIDE_VALUE = 'refs/gatos/audit/policy';

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

/** Writes beside, then renames over: a push running the hook meanwhile sees the old file or the new one, never half of one. */
function replaceFile(target: string, bytes: Buffer): void {
  const tmp = `${target}.gatos-new`;
  writeFileSync(tmp, bytes, { mode: 0o755 });
  chmodSync(tmp, 0o755);
  renameSync(tmp, target);
}


/**
 * Where a host runs our pre-receive (docs/hosts/). plain and gitolite: the
 * repository's hooks/ (gitolite reserves hooks/update and restores its
 * symlink on every `gitolite setup`; its documentation lets operators add
 * any other hook by hand). GitLab: Gitaly's per-repository
 * custom_hooks/pre-receive.d/. Gitea and Forgejo: hooks/pre-receive.d/,
 * run by the host's own hooks/pre-receive dispatcher. GitHub Enterprise
 * Server: no file in the repository (the hook runs from a hook repository
 * in a chroot environment, docs/hosts/ghes.md).
 */
type Layout = { readonly kind: 'hooks' } | { readonly kind: 'dir'; readonly dir: string; readonly needs?: string } | { readonly kind: 'none' };

/** Our pre-receive's name inside a host's pre-receive.d/. */
export const HOSTED_HOOK_NAME = 'gatos-gate';

function layoutOf(host: HostName, gitDir: string, hooksDir: string): Layout {
  switch (host) {
    case 'plain':
    case 'gitolite':
      return { kind: 'hooks' };
    case 'gitlab':
      return { kind: 'dir', dir: path.join(gitDir, 'custom_hooks', 'pre-receive.d') };
    case 'gitea':
    case 'forgejo':
      return { kind: 'dir', dir: path.join(hooksDir, 'pre-receive.d'), needs: path.join(hooksDir, 'pre-receive') };
    case 'ghes':
      return { kind: 'none' };
  }
}

/** gitolite's update hook: a symlink into gitolite's own hooks (~/.gitolite/hooks/common/update). */
export function gitoliteUpdateHook(hooksDir: string): string | undefined {
  const f = path.join(hooksDir, 'update');
  try {
    if (!lstatSync(f).isSymbolicLink()) return undefined;
    const target = readlinkSync(f);
    return /gitolite/.test(target) ? target : undefined;
  } catch {
    return undefined;
  }
}

function isSymlink(f: string): boolean {
  try {
    return lstatSync(f).isSymbolicLink();
  } catch {
    return false;
  }
}

/** The settings a host implies: its identity variables, and gatos.host. */
function hostSettings(host: HostName): Record<string, string[]> {
  const p = HOST_PROFILES[host];
  return { 'gatos.host': [host], ...(p.actorEnv ? { 'gatos.actorEnv': [p.actorEnv.join(',')] } : {}) };
}

/** Whether `refs/gatos/policies/active` already carries this bundle (for --dry-run). */
function activeIs(gitDir: string, id: string): boolean {
  const r = git(gitDir, ['log', '-1', '--format=%B', 'refs/gatos/policies/active', '--'], [0, 128]);
  return r.ok && declaredBundleIds(r.value).values[0] === `blake3:${id}`;
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

  const host: HostName = opts.host ?? 'plain';
  const dry = opts.dryRun === true;
  const would = (line: string) => (dry ? `would ${line.replace(/^(installed|updated|set|unset|kept|published|added|removed)\b/, (v) => ({ installed: 'install', updated: 'update', set: 'set', unset: 'unset', kept: 'keep', published: 'publish', added: 'add', removed: 'remove' })[v] ?? v)}` : line);
  const say = (line: string) => said.push(would(line));

  const prev = readRecord(gitDir);
  const record: InstallRecord = { v: 1, config: { ...(prev?.config ?? {}) }, hooks: { ...(prev?.hooks ?? {}) }, added: { ...(prev?.added ?? {}) }, files: [...(prev?.files ?? [])] };

  // Hooks: where the host runs them. Everything is checked before anything is written.
  const hp = hooksPath(gitDir);
  if (!hp.ok) return hp;
  const layout = layoutOf(host, gitDir, hp.value);
  const gitolite = gitoliteUpdateHook(hp.value);
  if (gitolite !== undefined && host !== 'gitolite' && layout.kind === 'hooks' && opts.hooks.includes('update')) {
    return err(gateError('USAGE', `hooks/update is gitolite's (a symlink to ${gitolite}): replacing it would make gitolite refuse every user, and gitolite puts it back on every setup`, { hint: `install with --host gitolite (the gate runs as pre-receive, gitolite keeps its update hook): docs/hosts/gitolite.md` }));
  }
  if (host === 'gitolite') {
    if (opts.hooks.includes('update')) return err(gateError('USAGE', 'under gitolite the gate runs as pre-receive only: gitolite reserves hooks/update for its own access rules', { hint: 'leave out --hooks, or give --hooks pre-receive (docs/hosts/gitolite.md)' }));
    if (isSymlink(path.join(hp.value, 'pre-receive'))) {
      return err(gateError('USAGE', `hooks/pre-receive is a symlink (${readlinkSync(path.join(hp.value, 'pre-receive'))}): gitolite manages it (LOCAL_CODE hooks/common or repo-specific hooks) and would replace the gate on its next setup`, { hint: 'run the gate as a repo-specific hook instead: docs/hosts/gitolite.md, "When gitolite already manages pre-receive"' }));
    }
  }
  if (layout.kind === 'dir' && layout.needs !== undefined && !existsSync(layout.needs)) {
    return err(gateError('USAGE', `${path.relative(gitDir, layout.needs)} is missing: this does not look like a ${HOST_PROFILES[host].title} repository (its own dispatcher runs hooks/pre-receive.d/)`, { hint: `name a repository ${HOST_PROFILES[host].title} created, or pick another --host (${HOST_PROFILES[host].doc})` }));
  }
  const parts = (h: HookFile) => HOOK_PART_SUFFIXES.map((x) => h + x).filter((p) => existsSync(path.join(opts.hooksDir, p)));
  if (layout.kind === 'hooks') {
    // Refused before anything is written, so a refusal leaves the repository as it was.
    for (const h of opts.hooks) {
      for (const part of parts(h)) {
        const target = path.join(hp.value, part);
        if (existsSync(target) && !isOurHook(target)) return err(gateError('USAGE', `hooks/${part} exists and is not the gate's`, { hint: `move it away; the gate's ${h} hook runs its own ${part}` }));
      }
      const target = path.join(hp.value, h);
      if (existsSync(target) && !isOurHook(target) && existsSync(target + CHAINED_SUFFIX)) return err(gateError('USAGE', `both hooks/${h} and hooks/${h}${CHAINED_SUFFIX} exist`, { hint: `move one of them away; the gate keeps your hook as ${h}${CHAINED_SUFFIX}` }));
    }
    if (!dry) mkdirSync(hp.value, { recursive: true });
    for (const h of opts.hooks) {
      for (const part of parts(h)) {
        const target = path.join(hp.value, part);
        const source = readFileSync(path.join(opts.hooksDir, part));
        const had = existsSync(target);
        if (had && readFileSync(target).equals(source)) continue;
        if (!dry) replaceFile(target, source);
        say(`${had ? 'updated' : 'installed'} hooks/${part}`);
      }
      const target = path.join(hp.value, h);
      const source = readFileSync(path.join(opts.hooksDir, h));
      if (existsSync(target) && isOurHook(target)) {
        if (!readFileSync(target).equals(source)) {
          if (!dry) replaceFile(target, source);
          say(`updated hooks/${h}`);
        }
      } else {
        let chained = false;
        if (existsSync(target)) {
          if (!dry) renameSync(target, target + CHAINED_SUFFIX);
          chained = true;
          say(`kept your hooks/${h} as hooks/${h}${CHAINED_SUFFIX} (runs after the gate accepts)`);
        }
        if (!dry) replaceFile(target, source);
        record.hooks[h] = { chained: chained || (record.hooks[h]?.chained ?? false) };
        say(`installed hooks/${h}`);
      }
      if (!dry) chmodSync(target, 0o755);
    }
  } else if (layout.kind === 'dir') {
    // The host's dispatcher runs every executable file of the directory: only the hook is executable, the code it loads is not.
    const placed: [string, string, number][] = [[HOSTED_HOOK_NAME, 'pre-receive', 0o755], ...parts('pre-receive').map((p): [string, string, number] => [p, p, 0o644])];
    for (const [name] of placed) {
      const target = path.join(layout.dir, name);
      if (existsSync(target) && !isOurHook(target)) return err(gateError('USAGE', `${path.relative(gitDir, target)} exists and is not the gate's`, { hint: 'move it away, or rename it: the gate installs its pre-receive there' }));
    }
    if (!dry) mkdirSync(layout.dir, { recursive: true });
    for (const [name, from, mode] of placed) {
      const target = path.join(layout.dir, name);
      const rel = path.relative(gitDir, target);
      const source = readFileSync(path.join(opts.hooksDir, from));
      const had = existsSync(target);
      if (!(had && readFileSync(target).equals(source))) {
        if (!dry) replaceFile(target, source);
        say(`${had ? 'updated' : 'installed'} ${rel}`);
      }
      if (!dry) chmodSync(target, mode);
      if (!record.files?.includes(rel)) record.files?.push(rel);
    }
  } else {
    say(`installed no hook file: under ${HOST_PROFILES[host].title} the gate runs from the pre-receive hook environment (${HOST_PROFILES[host].doc})`);
  }

  // Config. The host's identity variables override the template's list.
  const wanted: Record<string, string[] | null> = { ...RECEIVE_CONFIG, ...FSCK_CONFIG, ...settings.value, ...hostSettings(host) };
  const fsckIds: string[] = [];
  for (const [key, values] of Object.entries(wanted)) {
    const have = configValues(gitDir, key);
    if (!have.ok) return have;
    if (sameValues(have.value, values)) continue;
    if (!(key in record.config)) record.config[key] = have.value;
    if (!dry) {
      const s = setConfig(gitDir, key, values);
      if (!s.ok) return s;
    }
    if (key.startsWith('receive.fsck.')) fsckIds.push(key.slice('receive.fsck.'.length));
    else say(values === null ? `unset ${key}` : `set ${key} = ${values.join(', ')}`);
  }
  // One line for git's object checks, not one per id.
  if (fsckIds.length > 0) say(`set receive.fsck.<id> = error for ${fsckIds.join(', ')}`);
  // Hidden refs: the gate's entry beside the operator's, never instead of them.
  for (const [key, hide] of [[RECEIVE_HIDE, true], [TRANSFER_HIDE, opts.auditReadable !== true]] as const) {
    const have = configValues(gitDir, key);
    if (!have.ok) return have;
    const present = (have.value ?? []).includes(AUDIT_HIDE_VALUE);
    if (key in record.config) continue; // an install before this one recorded the whole key; uninstall restores it
    if (hide && !present) {
      if (!record.added?.[key]) record.added![key] = { value: AUDIT_HIDE_VALUE, had: false };
      if (!dry) {
        const a = git(gitDir, ['config', '--add', key, AUDIT_HIDE_VALUE]);
        if (!a.ok) return a;
      }
      say(`added ${key} = ${AUDIT_HIDE_VALUE}${have.value ? ` (beside your ${have.value.join(', ')})` : ''}`);
    } else if (hide && present && !record.added?.[key]) {
      record.added![key] = { value: AUDIT_HIDE_VALUE, had: true };
    } else if (!hide && present) {
      if (!dry) {
        const u = git(gitDir, ['config', '--fixed-value', '--unset-all', key, AUDIT_HIDE_VALUE], [0, 5]);
        if (!u.ok) return u;
      }
      say(`removed ${AUDIT_HIDE_VALUE} from ${key} (clients may fetch the audit trail)`);
    }
  }

  // Bundle.
  if (dry) {
    if (!activeIs(gitDir, built.bundle.id)) say(`published the ${opts.template} bundle ${built.bundle.id} as refs/gatos/policies/${built.bundle.id} and refs/gatos/policies/active`);
    return ok(said);
  }
  const opened = await openRepo(gitDir, { env: { ...process.env, GIT_DIR: undefined } as NodeJS.ProcessEnv });
  if (!opened.ok) return err(opened.error);
  try {
    const pub = await publishBundle(opened.value, built.bundle, { now: opts.now });
    if (!pub.ok) return pub;
    if (pub.value.changed) say(`published the ${opts.template} bundle ${pub.value.id} as refs/gatos/policies/${pub.value.id} and refs/gatos/policies/active (commit ${pub.value.commit})`);
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
  for (const rel of rec.files ?? []) {
    const f = path.join(gitDir, rel);
    if (existsSync(f) && isOurHook(f)) {
      rmSync(f);
      said.push(`removed ${rel}`);
    }
  }
  for (const [key, values] of Object.entries(rec.config)) {
    const s = setConfig(gitDir, key, values);
    if (!s.ok) return s;
    said.push(values === null ? `unset ${key}` : `restored ${key} = ${values.join(', ')}`);
  }
  // Only the gate's own entry goes; whatever the operator hid stays hidden.
  for (const [key, { value, had }] of Object.entries(rec.added ?? {})) {
    if (had) continue;
    const u = git(gitDir, ['config', '--fixed-value', '--unset-all', key, value], [0, 5]);
    if (!u.ok) return u;
    said.push(`removed ${value} from ${key}`);
  }
  rmSync(recordFile(gitDir));
  rmSync(path.join(gitDir, 'gatos', 'verdicts'), { recursive: true, force: true });
  rmSync(path.join(gitDir, 'gatos', 'cache'), { recursive: true, force: true });
  said.push('kept refs/gatos/policies/* and the audit trail refs/gatos/audit/policy (delete them with git update-ref -d if you mean to)');
  return ok(said);
}



/**
 * The bare repositories under `root` (a host's repository root), sorted. A
 * repository's own folders are not searched further. Left out: gitolite's
 * admin repository (gitolite's own hooks guard it), wikis (`*.wiki.git`)
 * and GitLab's object pools (`@pools`), which nobody pushes to.
 */
export function findBareRepos(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string, depth: number): void => {
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch {
      return;
    }
    if (names.includes('HEAD') && names.includes('objects') && names.includes('refs')) {
      out.push(dir);
      return;
    }
    if (depth >= 6) return;
    for (const n of names) {
      if (n.startsWith('.') || n === '@pools' || n === 'gitolite-admin.git' || n.endsWith('.wiki.git')) continue;
      const p = path.join(dir, n);
      try {
        if (statSync(p).isDirectory()) walk(p, depth + 1);
      } catch {
        // unreadable: not ours to judge
      }
    }
  };
  walk(path.resolve(root), 0);
  return out;
}

export interface InstallAllOutcome {
  /** One line per repository: `<path>: <what happened>`. */
  readonly lines: string[];
  readonly changed: number;
  readonly unchanged: number;
  readonly failed: number;
}

/** `gatos install --all <dir>`: every bare repository under dir, each as `install` would; a failure is reported and the rest go on. */
export async function installAll(root: string, opts: Omit<InstallOptions, 'repo'>): Promise<Result<InstallAllOutcome>> {
  if (!existsSync(root) || !statSync(root).isDirectory()) return err(gateError('NOT_FOUND', `${root} is not a directory`, { hint: "name the folder holding the host's bare repositories, e.g. /var/lib/gitolite3/repositories" }));
  const repos = findBareRepos(root);
  if (repos.length === 0) return err(gateError('NOT_FOUND', `no bare repository under ${root}`, { hint: 'a bare repository has HEAD, objects/ and refs/ (git init --bare)' }));
  const lines: string[] = [];
  let changed = 0;
  let unchanged = 0;
  let failed = 0;
  for (const repo of repos) {
    const rel = path.relative(root, repo) || '.';
    const r = await install({ ...opts, repo });
    if (!r.ok) {
      failed++;
      lines.push(`${rel}: FAILED: ${r.error.message}${r.error.hint ? ` (hint: ${r.error.hint})` : ''}`);
    } else if (r.value.length === 0) {
      unchanged++;
      lines.push(`${rel}: unchanged`);
    } else {
      changed++;
      lines.push(`${rel}: ${opts.dryRun ? 'would change' : 'installed'} (${r.value.length} change${r.value.length === 1 ? '' : 's'})`);
    }
  }
  return ok({ lines, changed, unchanged, failed });
}
