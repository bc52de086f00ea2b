/**
 * Checking the gate's settings before they are used: every `gatos.*` entry
 * of a repository's git config, and a template's `gatos/config/gate.yaml`
 * (which install turns into those entries). Every problem is reported, not
 * only the first: an unknown key with the closest known one, a bad value
 * with the key, the value and what was expected, and for gate.yaml the line
 * and column. The hooks refuse every push on the same problems
 * (readGateConfig); this lets install and `gatos config check` say so
 * before a push does. Pure.
 */
import { isMap, isScalar, isSeq, parseDocument, type Node, type Pair, type YAMLMap } from 'yaml';
import { locate } from '../core/diagnostic';
import { closest } from '../core/suggest';
import { GHES_HOOK_LIMIT_MS } from './budget';
import { SETTING_NAMES, readGateConfig, type ConfigEntries } from './config';

export interface SettingProblem {
  readonly severity: 'error' | 'warning';
  /** `git config gatos.mode`, or `gate.yaml:6:17`. */
  readonly where: string;
  readonly message: string;
  readonly hint?: string;
}

const problem = (severity: SettingProblem['severity'], where: string, message: string, hint?: string): SettingProblem => ({ severity, where, message, ...(hint !== undefined ? { hint } : {}) });

const canonical: ReadonlyMap<string, string> = new Map(SETTING_NAMES.map((k) => [k.toLowerCase(), k]));

/** Every problem of the `gatos.*` entries (as `git config --get-regexp` lists them); none: the hooks will read them as they are. */
export function checkGitSettings(entries: ConfigEntries): SettingProblem[] {
  const out: SettingProblem[] = [];
  for (const [rawKey, value] of entries) {
    const key = rawKey.toLowerCase();
    if (!key.startsWith('gatos.')) continue;
    const name = canonical.get(key);
    const where = `git config ${name ?? rawKey}`;
    if (name === undefined) {
      const near = closest(key, SETTING_NAMES);
      out.push(problem('error', where, 'not a gate setting (every push would be refused)', near ? `did you mean ${near}? fix it with: git config --unset-all ${rawKey}; git config ${near} <value> (in the bare repository)` : `the settings are: ${SETTING_NAMES.join(', ')} (docs/operators.md)`));
      continue;
    }
    const alone = readGateConfig([[key, value]]);
    if (!alone.ok) out.push(problem('error', where, alone.error.message.replace(`git config ${key} = `, 'value '), alone.error.hint?.replace(`git config ${key}`, `git config ${name}`)));
  }
  if (out.length > 0) return out;
  // Entries that are each fine but not together (one key mapped to two actors).
  const all = readGateConfig(entries);
  if (!all.ok) return [problem('error', 'git config gatos.*', all.error.message, all.error.hint)];
  const c = all.value;
  if (c.host === 'ghes') {
    const limit = c.budget.baseMs;
    if (limit === undefined || limit >= GHES_HOOK_LIMIT_MS || c.budget.perObjectMs > 0) {
      out.push(problem('warning', 'git config gatos.timeBudgetMs', `under gatos.host=ghes GitHub stops every pre-receive hook after ${GHES_HOOK_LIMIT_MS} ms in all, whatever the gate's budget (${limit === undefined ? 'none' : `${limit} ms`} + ${c.budget.perObjectMs} ms per object): a push the gate would still be deciding is cut off by GitHub, with GitHub's message and no audit entry`, 'leave gatos.timeBudgetMs and gatos.timeBudgetPerObjectMs unset there (the ghes default: 4500 ms in all)'));
    }
  }
  return out;
}

/** How gate.yaml's keys become git config entries (what install writes). */
interface YamlKey {
  readonly setting?: string;
  /** A mapping of these keys. */
  readonly children?: Readonly<Record<string, YamlKey>>;
  readonly shape: 'scalar' | 'list' | 'map';
}

const scalar = (setting?: string): YamlKey => ({ shape: 'scalar', ...(setting ? { setting } : {}) });

const GATE_YAML: Readonly<Record<string, YamlKey>> = {
  version: scalar(),
  mode: scalar('gatos.mode'),
  time_budget_ms: scalar('gatos.timeBudgetMs'),
  refusals: scalar('gatos.output'),
  actor: { shape: 'map', children: { sources: { shape: 'list', setting: 'gatos.actorEnv' }, map: { shape: 'map', setting: 'gatos.actorMap' } } },
  fast_forward_only: { shape: 'list', setting: 'gatos.ffOnly' },
  events: { shape: 'map', children: { max_clock_skew_s: scalar('gatos.maxFutureSkewSeconds'), max_age_s: scalar('gatos.maxPastSkewSeconds') } },
  limits: { shape: 'map', children: { max_blob_bytes: scalar('gatos.maxBlobBytes') } },
};

const scalarText = (n: Node | null | undefined): string | undefined => {
  if (!isScalar(n)) return undefined;
  return typeof n.value === 'string' || typeof n.value === 'number' ? String(n.value) : undefined;
};

/**
 * Every problem of a gate.yaml, with the git config entries it stands for
 * (checked as checkGitSettings checks them, reported at the YAML key).
 */
export function checkGateYaml(text: string, file = 'gate.yaml'): SettingProblem[] {
  const out: SettingProblem[] = [];
  const at = (node: Node | null | undefined): string => {
    const p = locate(text, node?.range?.[0] ?? 0);
    return `${file}:${p.line}:${p.column}`;
  };
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false });
  for (const e of doc.errors) {
    const p = locate(text, e.pos[0]);
    out.push(problem('error', `${file}:${p.line}:${p.column}`, `YAML: ${e.message.split('\n')[0] ?? e.message}`));
  }
  if (out.length > 0) return out;
  const top = doc.contents;
  if (top === null || (isScalar(top) && (top.value === null || top.value === ''))) return out;
  if (!isMap(top)) return [problem('error', at(top), 'expected a mapping of gate settings (mode, time_budget_ms, actor, ...)', 'see docs/operators.md, "Settings"')];

  const walk = (map: YAMLMap, keys: Readonly<Record<string, YamlKey>>, path: string): void => {
    for (const pair of map.items as Pair<Node, Node>[]) {
      const name = scalarText(pair.key) ?? '';
      const full = path ? `${path}.${name}` : name;
      const spec = keys[name];
      if (!spec) {
        const near = closest(name, Object.keys(keys));
        out.push(problem('error', at(pair.key), `unknown key '${name}'${path ? ` under '${path}'` : ''}`, near ? `did you mean '${near}'?` : `the keys${path ? ` under '${path}'` : ''} are: ${Object.keys(keys).join(', ')}`));
        continue;
      }
      const v = pair.value;
      if (spec.children) {
        if (v === null || (isScalar(v) && v.value === null)) continue;
        if (!isMap(v)) {
          out.push(problem('error', at(v), `'${full}' must be a mapping (of ${Object.keys(spec.children).join(', ')})`));
          continue;
        }
        walk(v, spec.children, full);
        continue;
      }
      const entries = yamlEntries(spec, v);
      if (entries === undefined) {
        out.push(problem('error', at(v ?? pair.key), `'${full}' must be ${spec.shape === 'list' ? 'a list' : spec.shape === 'map' ? 'a mapping' : 'a single value (text or number)'}`));
        continue;
      }
      if (name === 'version' && entries[0] !== '1') out.push(problem('error', at(v), `version ${JSON.stringify(entries[0] ?? '')}: expected 1`));
      if (!spec.setting) continue;
      const setting = spec.setting;
      for (const p of checkGitSettings(entries.map((e) => [setting, e] as const))) {
        if (p.severity === 'error') out.push(problem('error', at(v), `${full}: ${p.message} (install writes it as ${setting})`, `fix ${full} in ${file}`));
      }
    }
  };
  walk(top, GATE_YAML, '');
  return out;
}

/** The git config values one gate.yaml leaf stands for, as install writes them; undefined: the wrong shape. */
function yamlEntries(spec: YamlKey, v: Node | null | undefined): string[] | undefined {
  if (v === null || v === undefined || (isScalar(v) && v.value === null)) return [];
  if (spec.shape === 'scalar') {
    const t = scalarText(v);
    return t === undefined ? undefined : [t];
  }
  if (spec.shape === 'list') {
    if (!isSeq(v)) return undefined;
    const items = v.items.map((i) => scalarText(i as Node));
    if (items.some((i) => i === undefined)) return undefined;
    const texts = items as string[];
    // actor.sources is one comma-separated value; fast_forward_only one value per glob (refs/gatos/** always, so left out).
    return spec.setting === 'gatos.actorEnv' ? (texts.length > 0 ? [texts.join(',')] : []) : texts.filter((g) => !g.startsWith('refs/gatos/'));
  }
  if (!isMap(v)) return undefined;
  const out: string[] = [];
  for (const pair of v.items as Pair<Node, Node>[]) {
    const k = scalarText(pair.key);
    const val = scalarText(pair.value);
    if (k === undefined || val === undefined) return undefined;
    out.push(`${k} ${val}`);
  }
  return out;
}

/** A problem as one line: `error: git config gatos.mode: ... (hint: ...)`. */
export function problemLine(p: SettingProblem): string {
  return `${p.severity}: ${p.where}: ${p.message}${p.hint ? `\n  hint: ${p.hint}` : ''}`;
}
