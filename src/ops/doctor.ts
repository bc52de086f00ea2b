/**
 * `gatos doctor`: every check of an installed gate, each pass / warn / fail
 * with a hint that says how to fix it (docs/operators.md, "gatos doctor").
 * The checks reuse the code the hooks and the producer verify with: the
 * bundle loader, verifyJournal, verifyCheckpoint, readAuditTrail, the
 * settings check. Reads only; `gatos repair` (repair.ts) fixes what is safe.
 * Adapter (disk, git, the daemon's HTTP address).
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, lstatSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { JOURNAL_PREFIX, STATE_PREFIX } from '../actors';
import { verifyCheckpoint, journalHeads } from '../checkpoint';
import { formatTime } from '../trust';
import { verifyJournal, VerifyMemo } from '../events';
import { AUDIT_POLICY_REF, RECORD_MAX_AGE_S, problemLine } from '../gate';
import type { GitRepo } from '../git';
import { activeGateBundle, type GateBundle } from '../push/active-bundle';
import { readAuditTrail } from '../push/audit-trail';
import { settingProblems } from '../push/config-check';
import { HOOK_PART_SUFFIXES, HOSTED_HOOK_NAME, gitoliteUpdateHook, isOurHook } from '../install/install';
import { EPOCH_PREFIX } from '../epoch/anchor';
import { readEpochSanity } from '../epoch/read';
import { cacheData } from '../loader/code-cache';
import { decisionLogPath, ROTATE_LOCK_SUFFIX } from './decision-log';
import { damagedHookCaches, keptObjectCount } from './hook-caches';
import { settingsRecordFile } from '../push/settings-record';
import { bundleRecordFile } from '../push/bundle-record';

export type CheckStatus = 'pass' | 'warn' | 'fail';

export interface Check {
  /** Stable name, e.g. `hook.pre-receive`, `journal.refs/gatos/journal/...`. */
  readonly id: string;
  readonly status: CheckStatus;
  readonly message: string;
  readonly hint?: string;
}

export interface DoctorOptions {
  readonly repo: GitRepo;
  /** The hooks this gatos ships (the CLI's `hooks/` folder): what "of this version" compares with. */
  readonly hooksDir: string;
  /** Epoch seconds. */
  readonly now: number;
  /** Grants expiring within this many days warn. */
  readonly expiryDays: number;
  /** Lock files older than this many minutes are stale. */
  readonly staleMinutes: number;
}

const RANK: Record<CheckStatus, number> = { pass: 0, warn: 1, fail: 2 };

export function worstOf(checks: readonly Check[]): CheckStatus {
  return checks.reduce<CheckStatus>((w, c) => (RANK[c.status] > RANK[w] ? c.status : w), 'pass');
}

const check = (id: string, status: CheckStatus, message: string, hint?: string): Check => ({ id, status, message, ...(hint !== undefined ? { hint } : {}) });

/** The daemon's address file (written by `gatos serve`): `{"pid": <n>, "http": "http://127.0.0.1:<port>"}`. */
export const DAEMON_FILE = ['gatos', 'daemon.json'] as const;

/** What install recorded ($GIT_DIR/gatos/install.json): the hooks it placed in hooks/ and the files it placed elsewhere. */
export interface InstallRecordView {
  readonly hooks: Readonly<Record<string, { readonly chained: boolean }>>;
  readonly files: readonly string[];
}

export function readInstallRecord(gitDir: string): InstallRecordView | undefined {
  try {
    const o = JSON.parse(readFileSync(path.join(gitDir, 'gatos', 'install.json'), 'utf8')) as { hooks?: Record<string, { chained: boolean }>; files?: string[] };
    return { hooks: o.hooks ?? {}, files: o.files ?? [] };
  } catch {
    return undefined;
  }
}

function git(gitDir: string, args: readonly string[]): { status: number | null; out: string } {
  const r = spawnSync('git', [...args], { env: { ...process.env, GIT_DIR: gitDir }, encoding: 'utf8' });
  return { status: r.status, out: (r.stdout ?? '').trim() };
}

export function hooksDirOf(gitDir: string): string {
  const r = git(gitDir, ['rev-parse', '--git-path', 'hooks']);
  return path.resolve(gitDir, r.status === 0 ? r.out : 'hooks');
}

/** Every file install placed, with the built file it must equal and whether git runs it (executable). */
export interface PlacedHook {
  readonly file: string;
  readonly source: string;
  readonly runs: boolean;
  /** The mode install gives it. */
  readonly mode: number;
  /** hooks/<name> itself (a foreign file there is the operator's or the host's, kept as <name>.gatos-chained on reinstall). */
  readonly hook?: string;
}

export function placedHooks(gitDir: string, hooksDir: string, rec: InstallRecordView): PlacedHook[] {
  const hp = hooksDirOf(gitDir);
  const out: PlacedHook[] = [];
  for (const h of Object.keys(rec.hooks).sort()) {
    out.push({ file: path.join(hp, h), source: path.join(hooksDir, h), runs: true, mode: 0o755, hook: h });
    for (const x of HOOK_PART_SUFFIXES) if (existsSync(path.join(hooksDir, h + x))) out.push({ file: path.join(hp, h + x), source: path.join(hooksDir, h + x), runs: false, mode: 0o755 });
  }
  for (const rel of rec.files) {
    const name = path.basename(rel);
    const runs = name === HOSTED_HOOK_NAME;
    out.push({ file: path.join(gitDir, rel), source: path.join(hooksDir, runs ? 'pre-receive' : name), runs, mode: runs ? 0o755 : 0o644 });
  }
  return out;
}

function sameBytes(a: string, b: string): boolean {
  try {
    return readFileSync(a).equals(readFileSync(b));
  } catch {
    return false;
  }
}

function executable(f: string): boolean {
  try {
    accessSync(f, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function hookChecks(gitDir: string, hooksDir: string, host: string | undefined): Check[] {
  const rec = readInstallRecord(gitDir);
  if (!rec) return [check('install', 'fail', `the gate is not installed in ${gitDir} (no gatos/install.json)`, 'install it: ./install.sh <bare repository> --template <name>')];
  if (host === 'ghes') return [check('install', 'pass', 'gatos.host=ghes: the hook runs from GitHub\'s pre-receive environment, no hook file here (docs/hosts/ghes.md)')];
  const out: Check[] = [];
  const built = existsSync(hooksDir);
  if (!built) out.push(check('hooks-dir', 'warn', `the built hooks are not at ${hooksDir}: the installed ones are not compared with this version`, 'pass --hooks-dir <the hooks/ folder of this gatos>'));
  for (const p of placedHooks(gitDir, hooksDir, rec)) {
    const rel = path.relative(gitDir, p.file);
    const id = `hook.${rel}`;
    if (!existsSync(p.file)) out.push(check(id, 'fail', `${rel} is missing: pushes are not gated`, 'gatos repair reinstalls it (or run ./install.sh again)'));
    else if (!isOurHook(p.file)) out.push(check(id, 'fail', `${rel} is not the gate's (something replaced it)`, 'gatos repair keeps it as <hook>.gatos-chained and reinstalls the gate\'s'));
    else if (p.runs && !executable(p.file)) out.push(check(id, 'fail', `${rel} is not executable: git skips it, pushes are not gated`, 'gatos repair sets its mode (chmod 755)'));
    else if (built && !sameBytes(p.file, p.source)) out.push(check(id, 'warn', `${rel} is the gate's, but not this version's (${p.source})`, 'gatos repair reinstalls this version\'s (or run ./install.sh again)'));
    else out.push(check(id, 'pass', `${rel} installed, ${p.runs ? 'executable, ' : ''}${built ? 'this version' : 'the gate\'s'}`));
  }
  if (host === 'gitolite') out.push(gitoliteCheck(hooksDirOf(gitDir)));
  return out;
}

/** gitolite's access rules run from hooks/update, a symlink into ~/.gitolite/hooks/common (docs/hosts/gitolite.md). */
function gitoliteCheck(hp: string): Check {
  const f = path.join(hp, 'update');
  const target = gitoliteUpdateHook(hp);
  const hint = 'run gitolite setup as the gitolite user: it puts the update symlink back (docs/hosts/gitolite.md)';
  if (target === undefined) {
    const what = existsSync(f) || isLink(f) ? 'is not gitolite\'s symlink' : 'is missing';
    return check('host.gitolite', 'fail', `hooks/update ${what}: gitolite's access rules do not run`, hint);
  }
  if (!existsSync(f)) return check('host.gitolite', 'fail', `hooks/update points to ${target}, which does not exist: every push fails`, hint);
  return check('host.gitolite', 'pass', `hooks/update is gitolite's symlink (${target})`);
}

function isLink(f: string): boolean {
  try {
    return lstatSync(f).isSymbolicLink();
  } catch {
    return false;
  }
}

const MIN_NODE = 20;
const MIN_GIT: readonly [number, number] = [2, 39];

function versionChecks(): Check[] {
  const node = Number(process.versions.node.split('.')[0]);
  const out = [node >= MIN_NODE ? check('node', 'pass', `node ${process.versions.node}`) : check('node', 'fail', `node ${process.versions.node} is older than ${MIN_NODE}`, `install Node.js ${MIN_NODE} or later`)];
  const r = spawnSync('git', ['--version'], { encoding: 'utf8' });
  const m = /(\d+)\.(\d+)/.exec(r.stdout ?? '');
  if (r.status !== 0 || !m) out.push(check('git', 'fail', 'git --version failed', 'install git 2.39 or later'));
  else {
    const [major, minor] = [Number(m[1]), Number(m[2])];
    const good = major > MIN_GIT[0] || (major === MIN_GIT[0] && minor >= MIN_GIT[1]);
    out.push(good ? check('git', 'pass', (r.stdout ?? '').trim()) : check('git', 'fail', `${(r.stdout ?? '').trim()} is older than ${MIN_GIT.join('.')}`, 'install git 2.39 or later'));
  }
  return out;
}

function settingsCheck(gitDir: string): Check {
  const p = settingProblems(gitDir);
  if (!p.ok) return check('settings', 'fail', p.error.message);
  const errors = p.value.filter((x) => x.severity === 'error');
  if (errors.length > 0) return check('settings', 'fail', `${errors.length} setting problem${errors.length === 1 ? '' : 's'}: every push is refused:\n${p.value.map(problemLine).join('\n')}`, 'fix each (gatos config check --repo <bare> lists them)');
  if (p.value.length > 0) return check('settings', 'warn', p.value.map(problemLine).join('\n'));
  return check('settings', 'pass', 'the gatos.* settings are usable');
}

function trustCheck(b: GateBundle, now: number, days: number): Check {
  const t = b.trust;
  if (t.graph.roots.length === 0) return check('trust', 'fail', 'the active trust graph has no root actor: no event or grant can be trusted', 'add a root: gatos trust add <actor> <key> --level 9, then gatos policy publish');
  const keys = [...t.graph.actors.values()].reduce((n, a) => n + a.keys.filter((k) => k.until === undefined || k.until > now).length, 0);
  if (keys === 0) return check('trust', 'fail', 'the active trust graph has no key valid now', 'add or rotate keys: gatos trust add / gatos key rotate, then gatos policy publish');
  const revoked = new Set(t.revocations.map((r) => r.grant));
  const soon = t.grants.filter((g) => !revoked.has(g.id) && g.exp > now && g.exp <= now + days * 86400).sort((a, b) => a.exp - b.exp || (a.subject < b.subject ? -1 : 1));
  const base = `${t.graph.roots.length} root${t.graph.roots.length === 1 ? '' : 's'}, ${t.graph.actors.size} actors, ${keys} valid keys, ${t.grants.length} grants`;
  if (soon.length > 0) return check('trust', 'warn', `${base}; expiring within ${days} days: ${soon.map((g) => `${g.subject} (${g.caps.join(',')}) on ${formatTime(g.exp)}`).join('; ')}`, 'renew them: gatos trust grant --to <actor> --caps <caps> --exp <time>, then gatos policy publish');
  return check('trust', 'pass', `${base}; none expires within ${days} days`);
}

/** Lock files under refs/ (and packed-refs.lock), with their age in ms. */
export function refLocks(gitDir: string, nowMs: number): { file: string; ageMs: number }[] {
  const out: { file: string; ageMs: number }[] = [];
  const walk = (dir: string): void => {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return;
    }
    for (const n of names) {
      const f = path.join(dir, n);
      const st = lstatSync(f, { throwIfNoEntry: false });
      if (!st) continue;
      if (st.isDirectory()) walk(f);
      else if (n.endsWith('.lock')) out.push({ file: f, ageMs: nowMs - st.mtimeMs });
    }
  };
  walk(path.join(gitDir, 'refs'));
  for (const f of [path.join(gitDir, 'packed-refs.lock'), `${decisionLogPath(gitDir)}${ROTATE_LOCK_SUFFIX}`]) {
    const st = lstatSync(f, { throwIfNoEntry: false });
    if (st) out.push({ file: f, ageMs: nowMs - st.mtimeMs });
  }
  return out.sort((a, b) => (a.file < b.file ? -1 : 1));
}

function lockCheck(gitDir: string, nowMs: number, staleMinutes: number): Check {
  const locks = refLocks(gitDir, nowMs);
  const stale = locks.filter((l) => l.ageMs > staleMinutes * 60_000);
  const names = (ls: typeof locks) => ls.map((l) => `${path.relative(gitDir, l.file)} (${Math.round(l.ageMs / 60_000)} min)`).join(', ');
  if (stale.length > 0) return check('locks', 'fail', `stale lock files, left by a git that died: ${names(stale)}; the refs they lock cannot move (a refused push's audit entry cannot be written under refs/gatos/audit)`, 'gatos repair removes lock files older than --stale-minutes');
  if (locks.length > 0) return check('locks', 'warn', `lock files younger than ${staleMinutes} min (a push in progress?): ${names(locks)}`, 'run gatos doctor again in a few minutes');
  return check('locks', 'pass', 'no ref lock files');
}

async function auditCheck(repo: GitRepo): Promise<Check> {
  const trail = await readAuditTrail(repo);
  if (!trail.ok) return check('audit', 'fail', `${AUDIT_POLICY_REF}: ${trail.error.message}`, trail.error.hint ?? 'the audit ref is written by the gate only; inspect it with git log');
  if (!trail.value) return check('audit', 'pass', `${AUDIT_POLICY_REF} does not exist yet (no push met a denial)`);
  const merges = await repo.run(['rev-list', '--count', '--min-parents=2', AUDIT_POLICY_REF]);
  if (!merges.ok || merges.value.stdout.toString().trim() !== '0') return check('audit', 'fail', `${AUDIT_POLICY_REF} is not linear (it has merge commits)`, 'the gate appends one parent per entry; find who wrote it (git log --merges)');
  return check('audit', 'pass', `${AUDIT_POLICY_REF}: ${trail.value.length} entries, linear, each canonical`);
}

async function journalChecks(repo: GitRepo, b: GateBundle | undefined, now: number, memo: VerifyMemo): Promise<Check[]> {
  const refs = await repo.forEachRef([JOURNAL_PREFIX.slice(0, -1)]);
  if (!refs.ok) return [check('journals', 'fail', refs.error.message)];
  if (refs.value.length === 0) return [check('journals', 'pass', 'no journals yet')];
  const out: Check[] = [];
  for (const r of refs.value) {
    const v = await verifyJournal(repo, r.ref, { now, memo, ...(b ? { folds: b.loaded } : {}) });
    out.push(v.ok ? check(`journal.${r.ref}`, 'pass', `${r.ref}: ${v.value.length} events, linear, ULIDs increasing, every event verified${b ? ' and foldable' : ''}`) : check(`journal.${r.ref}`, 'fail', `${r.ref}: ${v.error.message}`, `${v.error.hint ? `${v.error.hint}; ` : ''}gatos repair never rewrites journals: see docs/operators.md, "gatos doctor"`));
  }
  return out;
}

async function checkpointChecks(repo: GitRepo, b: GateBundle | undefined, memo: VerifyMemo): Promise<Check[]> {
  const refs = await repo.forEachRef([STATE_PREFIX.slice(0, -1)]);
  if (!refs.ok) return [check('checkpoints', 'fail', refs.error.message)];
  const out: Check[] = [];
  for (const r of refs.value) {
    const id = `checkpoint.${r.ref}`;
    const v = await verifyCheckpoint(repo, r.id, { memo });
    if (!v.ok) {
      out.push(check(id, 'fail', `${r.ref}: ${v.error.message}`, v.error.hint ?? 'recompute it: gatos fold checkpoint --ns <ns>'));
      continue;
    }
    const p = v.value.proof;
    const fold = b?.folds.find((f) => f.id === p.foldId);
    if (!fold) {
      out.push(check(id, 'warn', `${r.ref}: checkpoint ${r.id} verifies, but its fold '${p.foldId}' is not in the active bundle, so its lag is unknown`, 'recompute it under the active bundle: gatos fold checkpoint'));
      continue;
    }
    const heads = await journalHeads(repo, fold.inputs);
    if (!heads.ok) {
      out.push(check(id, 'fail', heads.error.message));
      continue;
    }
    let behind = 0;
    for (const [journal, head] of heads.value) {
      const end = p.window.find((w) => w.journal === journal)?.end;
      const n = await repo.run(['rev-list', '--count', end ? `${end}..${head}` : head]);
      if (!n.ok) {
        behind = NaN;
        break;
      }
      behind += Number(n.value.stdout.toString().trim());
    }
    if (Number.isNaN(behind)) {
      out.push(check(id, 'fail', `${r.ref}: the journals its fold reads cannot be counted`));
      continue;
    }
    const what = `${r.ref}: checkpoint ${r.id.slice(0, 12)} verifies (${p.events} events folded)`;
    out.push(behind > 0 ? check(id, 'warn', `${what}; it lags its journals by ${behind} event${behind === 1 ? '' : 's'}`, `fold them in: gatos fold checkpoint --ns ${p.ns}, then push ${r.ref}`) : check(id, 'pass', `${what}; up to date with its journals`));
  }
  return out;
}

/** A code cache file the loaders would use (src/loader/code-cache.ts): whole and untampered. */
export function codeCacheValid(bytes: Buffer): boolean {
  return cacheData(bytes) !== undefined;
}

export function cacheFiles(gitDir: string): string[] {
  const dir = path.join(gitDir, 'gatos', 'cache');
  try {
    return readdirSync(dir).filter((n) => n.endsWith('.v8')).sort().map((n) => path.join(dir, n));
  } catch {
    return [];
  }
}

function cacheCheck(gitDir: string): Check {
  const files = cacheFiles(gitDir);
  const bad = files.filter((f) => !codeCacheValid(readFileSync(f)));
  if (bad.length > 0) return check('code-cache', 'warn', `corrupt code cache files (the hooks ignore them and compile, which costs time): ${bad.map((f) => path.basename(f)).join(', ')}`, 'gatos repair removes them; the next push writes a fresh one');
  return check('code-cache', 'pass', files.length > 0 ? `${files.length} code cache file${files.length === 1 ? '' : 's'}, valid` : 'no code cache yet (the next push writes one)');
}

/** The cold hooks' settings record, bundle object copies and active-bundle record (src/ops/hook-caches.ts). */
function hookCachesCheck(gitDir: string): Check {
  const bad = damagedHookCaches(gitDir);
  if (bad.length > 0) return check('hook-caches', 'warn', `damaged hook cache files (the hooks ignore them and read git, which costs time): ${bad.map((f) => path.relative(gitDir, f)).join(', ')}`, 'gatos repair removes them; the next push writes them again');
  const n = keptObjectCount(gitDir);
  const written = (f: string) => (existsSync(f) ? 'whole' : 'not written yet');
  return check('hook-caches', 'pass', `settings record ${written(settingsRecordFile(gitDir))}; ${n} active-bundle object cop${n === 1 ? 'y' : 'ies'}, each the object its name says; active-bundle record ${written(bundleRecordFile(gitDir))}`);
}

export function staleRecords(gitDir: string, nowMs: number): string[] {
  const dir = path.join(gitDir, 'gatos', 'verdicts');
  try {
    return readdirSync(dir)
      .map((n) => path.join(dir, n))
      .filter((f) => nowMs - statSync(f).mtimeMs > RECORD_MAX_AGE_S * 1000)
      .sort();
  } catch {
    return [];
  }
}

function recordsCheck(gitDir: string, nowMs: number): Check {
  const stale = staleRecords(gitDir, nowMs);
  if (stale.length > 0) return check('verdict-records', 'warn', `${stale.length} verdict record${stale.length === 1 ? '' : 's'} older than ${RECORD_MAX_AGE_S} s (left by pushes that died; the update hook never honours them)`, 'gatos repair removes them');
  return check('verdict-records', 'pass', 'no stale verdict records');
}

function decisionLogCheck(gitDir: string): Check {
  const file = decisionLogPath(gitDir);
  const dir = path.dirname(file);
  const hint = 'the host account must be able to create and append to $GIT_DIR/gatos/decisions.log (a regular file)';
  const st = lstatSync(file, { throwIfNoEntry: false });
  if (st && !st.isFile()) return check('decision-log', 'fail', `${file} is not a regular file: every push warns and no decision is logged`, hint);
  try {
    accessSync(st ? file : dir, constants.W_OK);
  } catch {
    if (st || existsSync(dir)) return check('decision-log', 'fail', `${st ? file : dir} is not writable: every push warns and no decision is logged`, hint);
  }
  return check('decision-log', 'pass', st ? `${path.relative(gitDir, file)}: ${st.size} bytes, writable` : 'no decision logged yet');
}

/** The daemon named by $GIT_DIR/gatos/daemon.json: alive, answering /readyz, and serving this repository. */
async function daemonCheck(gitDir: string): Promise<Check> {
  const file = path.join(gitDir, ...DAEMON_FILE);
  let d: { pid?: unknown; http?: unknown };
  try {
    d = JSON.parse(readFileSync(file, 'utf8')) as { pid?: unknown; http?: unknown };
  } catch (e) {
    if (!existsSync(file)) return check('daemon', 'pass', 'no daemon serves this repository (no gatos/daemon.json): the hooks decide on the cold path');
    return check('daemon', 'fail', `${file} is not JSON: ${e instanceof Error ? e.message : String(e)}`, 'restart gatos serve (it rewrites the file), or remove the file');
  }
  const hint = 'start it again (gatos serve, or systemctl restart gatos), or remove gatos/daemon.json if you no longer run it';
  if (typeof d.pid !== 'number' || !Number.isSafeInteger(d.pid) || typeof d.http !== 'string') return check('daemon', 'fail', `${file} lacks {pid, http}`, hint);
  try {
    process.kill(d.pid, 0);
  } catch (e) {
    if ((e as { code?: string }).code !== 'EPERM') return check('daemon', 'fail', `the daemon (pid ${d.pid}) is not running: the hooks take the cold path`, hint);
  }
  try {
    const res = await fetch(new URL('/readyz', d.http), { signal: AbortSignal.timeout(2000) });
    const body = await res.text();
    if (res.status !== 200) return check('daemon', 'fail', `the daemon at ${d.http} is not ready (/readyz: ${res.status} ${body.trim().slice(0, 200)})`, hint);
    if (body.includes('"repos"') && !body.includes(JSON.stringify(gitDir))) return check('daemon', 'fail', `the daemon at ${d.http} does not serve ${gitDir}`, 'add it: gatos serve --repo <bare>');
    return check('daemon', 'pass', `the daemon (pid ${d.pid}) answers at ${d.http}${await schedulingOf(d.http)}`);
  } catch (e) {
    return check('daemon', 'fail', `the daemon at ${d.http} does not answer: ${e instanceof Error ? e.message : String(e)}`, hint);
  }
}

/**
 * How the daemon at `http` says it is scheduled (gatos_daemon_scheduling_info, decision 0066), as a clause for the
 * daemon check; empty when its /metrics does not say (an older daemon, a timeout): that changes no result.
 */
async function schedulingOf(http: string): Promise<string> {
  try {
    const res = await fetch(new URL('/metrics', http), { signal: AbortSignal.timeout(2000) });
    const line = /^gatos_daemon_scheduling_info\{([^}\n]*)\} 1$/m.exec(await res.text());
    if (!res.ok || !line) return '';
    const labels = new Map([...(line[1] as string).matchAll(/(\w+)="([^"\\]*)"/g)].map((m) => [m[1] as string, m[2] as string]));
    const slice = Number(labels.get('slice_ns') || NaN);
    const sliceText = Number.isFinite(slice) ? `a ${(slice / 1e6).toFixed(2)} ms time slice` : labels.get('sched') === 'normal' ? "the kernel's time slice (a longer one could not be set: its log says why)" : "the kernel's time slice";
    const policy = labels.get('policy') === 'idle' ? 'SCHED_IDLE' : sliceText;
    return `; --sched ${labels.get('sched') ?? '?'}: ${policy}, ${labels.get('waits') === 'true' ? 'waiting on the CPU for requests it decided ahead' : 'not waiting on the CPU for requests'}`;
  } catch {
    return '';
  }
}

/** Per namespace with epoch anchors: one chain, and the journals and state still descend from what the latest anchor recorded. */
async function epochChecks(repo: GitRepo): Promise<Check[]> {
  const refs = await repo.forEachRef([EPOCH_PREFIX.slice(0, -1)]);
  if (!refs.ok) return [check('epochs', 'fail', refs.error.message)];
  const namespaces = [...new Set(refs.value.map((r) => r.ref.slice(EPOCH_PREFIX.length).split('/')[0] as string))].sort();
  const out: Check[] = [];
  for (const ns of namespaces) {
    const problems = await readEpochSanity(repo, ns);
    if (!problems.ok) out.push(check(`epochs.${ns}`, 'fail', `${ns}: ${problems.error.message}`));
    else if (problems.value.length === 0) out.push(check(`epochs.${ns}`, 'pass', `${ns}: the epoch anchors form one chain, and the journals and state descend from the latest`));
    else out.push(check(`epochs.${ns}`, 'fail', `${ns}: ${problems.value.map((p) => (p.ref ? `${p.ref}: ${p.problem}` : p.problem)).join('; ')}`, 'see docs/epochs.md; `gatos epoch compact <ns> --dry-run` shows which off-chain anchors an operator may remove'));
  }
  return out;
}

export async function runDoctor(o: DoctorOptions): Promise<Check[]> {
  const gitDir = o.repo.gitDir;
  const host = git(gitDir, ['config', 'gatos.host']).out || undefined;
  const out: Check[] = [...hookChecks(gitDir, o.hooksDir, host), ...versionChecks(), settingsCheck(gitDir)];
  const memo = new VerifyMemo();
  const bundle = await activeGateBundle(o.repo, memo);
  if (bundle.ok) {
    const b = bundle.value;
    const folds = b.folds.map((f) => `${f.id} ${f.foldRoot}`).join(', ');
    out.push(check('bundle', 'pass', `the active bundle verifies: commit (policy_root) ${b.commit}, bundle id blake3:${b.loaded.id}, policy code root ${b.policyCodeRoot}, folds (fold_root): ${folds || 'none'}`));
    out.push(trustCheck(b, o.now, o.expiryDays));
  } else {
    out.push(check('bundle', 'fail', `the active bundle does not verify: ${bundle.error.message}: every push is refused`, bundle.error.hint ?? 'point refs/gatos/policies/active back at a published bundle (git update-ref), or reinstall'));
  }
  const b = bundle.ok ? bundle.value : undefined;
  const nowMs = o.now * 1000;
  out.push(lockCheck(gitDir, nowMs, o.staleMinutes), await auditCheck(o.repo));
  out.push(...(await journalChecks(o.repo, b, o.now, memo)), ...(await checkpointChecks(o.repo, b, memo)));
  out.push(...(await epochChecks(o.repo)));
  out.push(cacheCheck(gitDir), recordsCheck(gitDir, nowMs), decisionLogCheck(gitDir), await daemonCheck(gitDir));
  out.push(hookCachesCheck(gitDir));
  return out;
}
