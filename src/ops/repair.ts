/**
 * `gatos repair`: fixes what is safe to fix, and says what it did (or,
 * with --dry-run, what it would do): stale ref lock files (a git that died
 * holding refs/gatos/audit/policy.lock is the one way an audit append is
 * left half-written: its objects without the ref move, which git's gc
 * collects), a stale decision-log rotation lock, stale verdict records,
 * corrupt code cache files, damaged hook cache files (the settings
 * record, the bundle's object copies and the active-bundle record:
 * src/ops/hook-caches.ts), and the
 * gate's hook files when the host or someone replaced, removed or
 * chmodded them (reinstalled from this gatos's hooks/, a foreign hook kept
 * as <hook>.gatos-chained as install keeps it). It never writes a ref or an object: journals, state,
 * policies and the audit trail are left as they are (docs/operators.md,
 * "gatos repair"). Adapter.
 */
import { chmodSync, existsSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CHAINED_SUFFIX, isOurHook } from '../install/install';
import { cacheFiles, codeCacheValid, placedHooks, readInstallRecord, refLocks, staleRecords } from './doctor';
import { damagedHookCaches } from './hook-caches';

export interface RepairOptions {
  readonly gitDir: string;
  readonly hooksDir: string;
  /** Epoch milliseconds. */
  readonly nowMs: number;
  readonly staleMinutes: number;
  readonly dryRun: boolean;
}

export interface RepairAction {
  /** What was (or would be) done, one line. */
  readonly did: string;
  /** Set when the action could not be done, with why. */
  readonly failed?: string;
}

/** `act` does (or, in a dry run, only names) one fix; false when it failed. */
type Act = (did: string, fix: () => void) => boolean;

function reinstallHooks(o: RepairOptions, act: Act): void {
  const rec = readInstallRecord(o.gitDir);
  if (!rec) return;
  const built = existsSync(o.hooksDir);
  const chained: string[] = [];
  for (const p of placedHooks(o.gitDir, o.hooksDir, rec)) {
    const rel = path.relative(o.gitDir, p.file);
    const present = existsSync(p.file);
    const ours = present && isOurHook(p.file);
    if (!built) {
      if (!ours) {
        act(`left ${rel} as it is: the built hooks to reinstall from are not at ${o.hooksDir}`, () => {
          throw new Error('pass --hooks-dir <the hooks/ folder of this gatos>');
        });
      }
      continue;
    }
    if (ours && readFileSync(p.file).equals(readFileSync(p.source))) {
      if ((statMode(p.file) & 0o777) !== p.mode) act(`set the mode of ${rel} to ${p.mode.toString(8)}`, () => chmodSync(p.file, p.mode));
      continue;
    }
    if (present && !ours) {
      if (!p.hook || existsSync(p.file + CHAINED_SUFFIX)) {
        act(`left ${rel}: it is not the gate's and ${p.hook ? `${rel}${CHAINED_SUFFIX} exists` : 'the gate has no place to keep it'}`, () => {
          throw new Error('move it away by hand, then run gatos repair again');
        });
        continue;
      }
      // Never overwrite a hook that could not be kept.
      if (!act(`kept the foreign ${rel} as ${rel}${CHAINED_SUFFIX} (it runs after the gate accepts)`, () => renameSync(p.file, p.file + CHAINED_SUFFIX))) continue;
      chained.push(p.hook);
    }
    act(`${present ? 'reinstalled' : 'installed'} ${rel} from ${p.source}`, () => {
      const tmp = `${p.file}.gatos-new`;
      writeFileSync(tmp, readFileSync(p.source), { mode: p.mode });
      chmodSync(tmp, p.mode);
      renameSync(tmp, p.file);
    });
  }
  if (chained.length > 0 && !o.dryRun) {
    // Uninstall moves a chained hook back only when install.json says there is one.
    const file = path.join(o.gitDir, 'gatos', 'install.json');
    const json = JSON.parse(readFileSync(file, 'utf8')) as { hooks: Record<string, { chained: boolean }> };
    for (const h of chained) json.hooks[h] = { chained: true };
    writeFileSync(file, `${JSON.stringify(json, null, 2)}\n`);
  }
}

function statMode(f: string): number {
  try {
    return statSync(f).mode;
  } catch {
    return 0;
  }
}

const WOULD: Readonly<Record<string, string>> = { removed: 'remove', reinstalled: 'reinstall', installed: 'install', kept: 'keep', set: 'set', left: 'leave' };

export function runRepair(o: RepairOptions): RepairAction[] {
  const out: RepairAction[] = [];
  const act: Act = (did, fix) => {
    if (o.dryRun) {
      out.push({ did: `would ${did.replace(/^(removed|reinstalled|installed|kept|set|left)\b/, (v) => WOULD[v] ?? v)}` });
      return true;
    }
    try {
      fix();
      out.push({ did });
      return true;
    } catch (e) {
      out.push({ did, failed: typeof e === 'object' && e !== null && 'message' in e ? String(e.message) : String(e) });
      return false;
    }
  };
  for (const l of refLocks(o.gitDir, o.nowMs)) {
    if (l.ageMs <= o.staleMinutes * 60_000) continue;
    const rel = path.relative(o.gitDir, l.file);
    const what = rel === 'refs/gatos/audit/policy.lock' ? ' (a half-written audit append: the entry\'s objects stay unreferenced, git gc collects them)' : '';
    act(`removed the stale lock ${rel}, ${Math.round(l.ageMs / 60_000)} min old${what}`, () => rmSync(l.file));
  }
  const records = staleRecords(o.gitDir, o.nowMs);
  if (records.length > 0) act(`removed ${records.length} stale verdict record${records.length === 1 ? '' : 's'}`, () => records.forEach((f) => rmSync(f, { recursive: true, force: true })));
  for (const f of cacheFiles(o.gitDir)) {
    if (!codeCacheValid(readFileSync(f))) act(`removed the corrupt code cache ${path.relative(o.gitDir, f)}`, () => rmSync(f, { force: true }));
  }
  for (const f of damagedHookCaches(o.gitDir)) act(`removed the damaged hook cache file ${path.relative(o.gitDir, f)}`, () => rmSync(f, { force: true }));
  reinstallHooks(o, act);
  return out;
}
