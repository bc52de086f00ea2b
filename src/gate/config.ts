/**
 * The gate's own settings, read from the repository's git config (section
 * `gatos`), which only the operator of the host can change. Pure: the
 * adapter passes the entries `git config --get-regexp` printed; keys arrive
 * lowercased, as git prints them. Bad values are refused, never defaulted:
 * a typo in a budget must not silently turn the gate off.
 */
import { checkRefGlob, anyRefMatcher, refMatcher, type RefMatcher } from '../fold/glob';
import { parseActor } from '../actors';
import { ACTOR_KINDS, isActorKind, type ActorKind } from '../actors';
import { err, gateError, ok, type Result } from '../core/result';
import { DEFAULT_HOST, timeBudget, type TimeBudget } from './budget';
import { DEFAULT_MAX_FUTURE_SKEW_SECONDS } from './event-time';
import { parseNetworkClass, type NetworkClass } from './remote';
import { HOSTS, isHostName, type HostName } from './hosts';
import { DECISION_LOG_MAX_KEEP, DECISION_LOG_MIN_BYTES, DEFAULT_DECISION_LOG, type DecisionLogSettings } from './decision-log';

export type GateMode = 'enforce' | 'evaluate';
export type OutputFormat = 'text' | 'json';

export interface GateConfig {
  /** enforce: denials refuse the push. evaluate: everything runs and is audited, the push goes through. */
  readonly mode: GateMode;
  /** Wall-clock budget of one decision: a base plus an allowance per object the push brings (src/gate/budget.ts); exceeded means GATE_ERROR. */
  readonly budget: TimeBudget;
  readonly output: OutputFormat;
  /** Environment variables that name the pusher, first present wins. */
  readonly actorEnv: readonly string[];
  /** Host user name -> GATOS actor id. */
  readonly actorMap: ReadonlyMap<string, string>;
  /** When set, an unmapped host name `n` that is a valid actor name becomes `<kind>:n`. */
  readonly actorKind?: ActorKind;
  /** Refs (beyond refs/gatos/**, always) that only move fast-forward. */
  readonly ffOnly: readonly string[];
  readonly isFfOnly: RefMatcher;
  /** How the host classifies where pushes come from (`remote` in requests). */
  readonly remote?: string;
  /** Events dated more than this after `now`, or whose ULID time lies further than this from their ts, are refused (gate/event-time). */
  readonly maxFutureSkewSeconds: number;
  /** When set, events dated more than this before `now` are refused (gate/event-time): bounds backdating with a rotated-out key. */
  readonly maxPastSkewSeconds?: number;
  /**
   * Signed-push certificate key -> GATOS actor id (gatos.pushCertKey): a
   * full OpenPGP fingerprint (upper-case hex) or an SSH key fingerprint
   * (`SHA256:...`). Never the signer's text, which the key's owner chose.
   */
  readonly pushCertKeys: ReadonlyMap<string, string>;
  /**
   * When set, every object new to the repository in a push (blob, tree,
   * commit or tag, whatever reaches it) is at most this many bytes
   * (gate/object-size). `gatos.maxObjectBytes`, or its older name
   * `gatos.maxBlobBytes`; both set: the smaller.
   */
  readonly maxObjectBytes?: number;
  /** Operator entries of `gatos.tipTypes`, in file order; the last one whose glob matches a ref wins (see tipShapes). */
  readonly tipTypes: readonly TipTypeEntry[];
  /** `gatos.network <class> <cidr>` entries, in file order: client addresses to `remote` classes (remote.ts). */
  readonly networks: readonly NetworkClass[];
  /** The Git host the gate was installed for (`gatos.host`, docs/hosts/): names its identity variables in refusals, and gives the time budget's defaults (budget.ts; none recorded: plain's). */
  readonly host?: HostName;
  /** The local decision log (`gatos.decisionLog*`, src/gate/decision-log.ts). */
  readonly decisionLog: DecisionLogSettings;
  /** `gatos.repoName`: <repo> of the resource URIs gatos://<repo>/<ns>/<path> (absent: the bare repository's directory name). */
  readonly repoName?: string;
}

/**
 * What a ref's new tip may be: a commit, a tree or a blob, or an annotated
 * tag of one of them (`tag` alone is `tag:commit`). A tag of a tag is no
 * shape: it is refused everywhere.
 */
export const TIP_SHAPES = ['commit', 'tree', 'blob', 'tag:commit', 'tag:tree', 'tag:blob'] as const;
export type TipShape = (typeof TIP_SHAPES)[number];

export interface TipTypeEntry {
  readonly glob: string;
  readonly match: RefMatcher;
  readonly shapes: readonly TipShape[];
}

/** refs/tags/** unless the operator says otherwise: a lightweight tag or an annotated tag of a commit. */
export const DEFAULT_TAG_SHAPES: readonly TipShape[] = ['commit', 'tag:commit'];
/** refs/gatos/** always, and every other ref unless the operator says otherwise. */
export const COMMIT_ONLY: readonly TipShape[] = ['commit'];

/**
 * The shapes a new tip of `ref` may have, and where that answer comes from.
 * refs/gatos/** (journals, state, policies including the active one, audit)
 * take commits only, whatever the configuration says; elsewhere the last
 * `gatos.tipTypes` entry matching the ref wins; else refs/tags/** take a
 * commit or an annotated tag of a commit, and every other ref a commit.
 */
export function tipShapes(ref: string, config: Pick<GateConfig, 'tipTypes'>): { readonly shapes: readonly TipShape[]; readonly source: string } {
  if (ref.startsWith('refs/gatos/')) return { shapes: COMMIT_ONLY, source: 'refs/gatos/** (fixed)' };
  for (let i = config.tipTypes.length - 1; i >= 0; i--) {
    const e = config.tipTypes[i] as TipTypeEntry;
    if (e.match(ref)) return { shapes: e.shapes, source: `gatos.tipTypes ${e.glob}` };
  }
  if (ref.startsWith('refs/tags/')) return { shapes: DEFAULT_TAG_SHAPES, source: 'refs/tags/** (default)' };
  return { shapes: COMMIT_ONLY, source: 'default' };
}

function parseShapes(text: string): TipShape[] | undefined {
  const out: TipShape[] = [];
  for (const raw of text.split(',')) {
    const s = raw.trim() === 'tag' ? 'tag:commit' : raw.trim();
    if (!(TIP_SHAPES as readonly string[]).includes(s)) return undefined;
    if (!out.includes(s as TipShape)) out.push(s as TipShape);
  }
  return out.length > 0 ? out : undefined;
}

export const DEFAULT_ACTOR_ENV = ['GATOS_ACTOR', 'GL_USER', 'GL_USERNAME', 'REMOTE_USER'] as const;
export const ALWAYS_FF_ONLY = ['refs/gatos/**'] as const;

/** Entries as `git config --get-regexp ^gatos\.` lists them: key (lowercased) and value, in file order. */
export type ConfigEntries = readonly (readonly [string, string])[];

/** A push-certificate key as gatos.pushCertKey names it: a full OpenPGP fingerprint (upper-cased) or an SSH SHA256 fingerprint; undefined when it is neither. */
export function pushCertKeyId(text: string): string | undefined {
  const t = text.replace(/\s+/g, '');
  if (/^(?:[0-9A-Fa-f]{40}|[0-9A-Fa-f]{64})$/.test(t)) return t.toUpperCase();
  if (/^SHA256:[A-Za-z0-9+/]{43}$/.test(t)) return t;
  return undefined;
}

function fail(key: string, value: string, expected: string): Result<never> {
  return err(gateError('GATE_ERROR', `git config ${key} = ${JSON.stringify(value)}: expected ${expected}`, { hint: `fix it with: git config ${key} <value> (in the bare repository)` }));
}

/** Every gate setting as an operator spells it (git prints keys lowercased; messages use these). */
export const SETTING_NAMES: readonly string[] = ['gatos.mode', 'gatos.timeBudgetMs', 'gatos.timeBudgetPerObjectMs', 'gatos.host', 'gatos.output', 'gatos.actorEnv', 'gatos.actorMap', 'gatos.actorKind', 'gatos.ffOnly', 'gatos.remote', 'gatos.maxFutureSkewSeconds', 'gatos.maxPastSkewSeconds', 'gatos.maxBlobBytes', 'gatos.maxObjectBytes', 'gatos.tipTypes', 'gatos.pushCertMap', 'gatos.pushCertKey', 'gatos.installed', 'gatos.network', 'gatos.decisionLog', 'gatos.decisionLogMaxBytes', 'gatos.decisionLogKeep', 'gatos.repoName'];

const KNOWN: ReadonlySet<string> = new Set(SETTING_NAMES.map((k) => k.toLowerCase()));

export function readGateConfig(entries: ConfigEntries): Result<GateConfig> {
  let mode: GateMode = 'enforce';
  /** undefined: the host's default; null: `none`. */
  let budgetBaseMs: number | null | undefined;
  let budgetPerObjectMs: number | undefined;
  let output: OutputFormat = 'text';
  let actorEnv: string[] | undefined;
  const actorMap = new Map<string, string>();
  let actorKind: ActorKind | undefined;
  const ffOnly: string[] = [...ALWAYS_FF_ONLY];
  let remote: string | undefined;
  let maxFutureSkewSeconds = DEFAULT_MAX_FUTURE_SKEW_SECONDS;
  let maxObjectBytes: number | undefined;
  const tipTypes: TipTypeEntry[] = [];
  let maxPastSkewSeconds: number | undefined;
  const pushCertKeys = new Map<string, string>();
  const networks: NetworkClass[] = [];
  let host: HostName | undefined;
  let decisionLog = DEFAULT_DECISION_LOG;
  let repoName: string | undefined;
  for (const [rawKey, value] of entries) {
    const key = rawKey.toLowerCase();
    if (!KNOWN.has(key)) {
      if (key.startsWith('gatos.')) return err(gateError('GATE_ERROR', `git config ${key} is not a gate setting`, { hint: `known settings: ${[...KNOWN].sort().join(', ')}` }));
      continue;
    }
    switch (key) {
      case 'gatos.mode':
        if (value !== 'enforce' && value !== 'evaluate') return fail(key, value, "'enforce' or 'evaluate'");
        mode = value;
        break;
      case 'gatos.timebudgetms': {
        if (value === 'none') {
          budgetBaseMs = null;
          break;
        }
        const n = /^[1-9][0-9]{0,6}$/.test(value) ? Number(value) : NaN;
        if (!Number.isSafeInteger(n) || n > 3_600_000) return fail(key, value, "a whole number of milliseconds from 1 to 3600000, or 'none' (no time limit)");
        budgetBaseMs = n;
        break;
      }
      case 'gatos.timebudgetperobjectms': {
        const n = /^[0-9]{1,4}(\.[0-9]{1,3})?$/.test(value) ? Number(value) : NaN;
        if (!Number.isFinite(n) || n > 1000) return fail(key, value, 'milliseconds per object the push brings, from 0 to 1000 (up to 3 decimals), e.g. 1 or 0.25');
        budgetPerObjectMs = n;
        break;
      }

      case 'gatos.output':
        if (value !== 'text' && value !== 'json') return fail(key, value, "'text' or 'json'");
        output = value;
        break;
      case 'gatos.actorenv': {
        const names = value.split(',').map((s) => s.trim()).filter((s) => s !== '');
        if (names.length === 0 || names.some((n) => !/^[A-Za-z_][A-Za-z0-9_]*$/.test(n))) return fail(key, value, 'environment variable names, comma-separated');
        actorEnv = [...(actorEnv ?? []), ...names];
        break;
      }
      case 'gatos.actormap': {
        const m = /^(\S+)\s+(\S+)$/.exec(value.trim());
        const actor = m ? parseActor(m[2] as string) : undefined;
        if (!m || !actor || !actor.ok) return fail(key, value, "'<host user> <actor id>', e.g. 'alice user:alice'");
        actorMap.set(m[1] as string, actor.value.id);
        break;
      }
      case 'gatos.actorkind':
        if (!isActorKind(value)) return fail(key, value, `one of ${ACTOR_KINDS.join(', ')}`);
        actorKind = value;
        break;
      case 'gatos.ffonly':
        if (!checkRefGlob(value).ok || !value.startsWith('refs/')) return fail(key, value, "a ref glob such as 'refs/heads/main' or 'refs/heads/release/**'");
        ffOnly.push(value);
        break;
      case 'gatos.remote':
        remote = value;
        break;
      case 'gatos.maxfutureskewseconds': {
        const n = /^[0-9]{1,7}$/.test(value) ? Number(value) : NaN;
        if (!Number.isSafeInteger(n)) return fail(key, value, 'a whole number of seconds');
        maxFutureSkewSeconds = n;
        break;
      }
      case 'gatos.pushcertmap':
        // It mapped the signer's user id or principal: text anyone's key can claim.
        return err(gateError('GATE_ERROR', `git config ${key} is no longer read: it mapped the certificate's signer text, which the key's owner chooses`, { hint: "map certificate keys instead: git config --unset-all gatos.pushCertMap; git config --add gatos.pushCertKey '<full key fingerprint> <actor id>' (docs/operators.md)" }));
      case 'gatos.pushcertkey': {
        const m = /^(\S+)\s+(\S+)$/.exec(value.trim());
        const fpr = m ? pushCertKeyId(m[1] as string) : undefined;
        const actor = m ? parseActor(m[2] as string) : undefined;
        if (!m || !fpr || !actor || !actor.ok) return fail(key, value, "'<key fingerprint> <actor id>': a full OpenPGP fingerprint (40 or 64 hex digits) or an SSH fingerprint (SHA256:...), e.g. '69B1B0617D3C69FB38E6D3594C65CFFA35FA3556 user:alice'");
        const had = pushCertKeys.get(fpr);
        if (had !== undefined && had !== actor.value.id) return fail(key, value, `one actor per key (${fpr} is already ${had})`);
        pushCertKeys.set(fpr, actor.value.id);
        break;
      }
      case 'gatos.maxpastskewseconds': {
        const n = /^[0-9]{1,10}$/.test(value) ? Number(value) : NaN;
        if (!Number.isSafeInteger(n)) return fail(key, value, 'a whole number of seconds, e.g. 86400 for one day');
        maxPastSkewSeconds = n;
        break;
      }
      case 'gatos.maxblobbytes':
      case 'gatos.maxobjectbytes': {
        const n = /^[0-9]{1,15}$/.test(value) ? Number(value) : NaN;
        if (!Number.isSafeInteger(n)) return fail(key, value, 'a whole number of bytes, e.g. 1048576 for 1 MiB');
        // One limit under two names (maxBlobBytes is the older one): the smaller wins, so neither can loosen the other.
        maxObjectBytes = maxObjectBytes === undefined ? n : Math.min(maxObjectBytes, n);
        break;
      }
      case 'gatos.tiptypes': {
        const m = /^(\S+)\s+(\S.*)$/.exec(value.trim());
        const glob = m ? (m[1] as string) : '';
        const shapes = m ? parseShapes(m[2] as string) : undefined;
        const expected = `'<ref glob> <type>[,<type>...]' with a glob under refs/ outside refs/gatos/ and types from ${TIP_SHAPES.join(', ')} ('tag' = 'tag:commit'), e.g. 'refs/tags/** tag'`;
        if (!m || !shapes || !checkRefGlob(glob).ok || !glob.startsWith('refs/') || glob.startsWith('refs/gatos/') || glob === 'refs/gatos') return fail(key, value, expected);
        tipTypes.push({ glob, match: refMatcher(glob), shapes });
        break;
      }
      case 'gatos.network': {
        const n = parseNetworkClass(value);
        if (!n) return fail(key, value, "'<class> <cidr>' with a class of a-z 0-9 . _ - and a block without host bits, e.g. 'internal 10.0.0.0/8'");
        networks.push(n);
        break;
      }
      case 'gatos.host':
        if (!isHostName(value)) return fail(key, value, `one of ${HOSTS.join(', ')}`);
        host = value;
        break;
      case 'gatos.decisionlog':
        if (value !== 'on' && value !== 'off') return fail(key, value, "'on' or 'off'");
        decisionLog = { ...decisionLog, enabled: value === 'on' };
        break;
      case 'gatos.decisionlogmaxbytes': {
        const n = /^[1-9][0-9]{0,12}$/.test(value) ? Number(value) : NaN;
        if (!Number.isSafeInteger(n) || n < DECISION_LOG_MIN_BYTES) return fail(key, value, `a whole number of bytes, at least ${DECISION_LOG_MIN_BYTES}, e.g. 16777216 for 16 MiB`);
        decisionLog = { ...decisionLog, maxBytes: n };
        break;
      }
      case 'gatos.decisionlogkeep': {
        const n = /^[0-9]{1,3}$/.test(value) ? Number(value) : NaN;
        if (!(n >= 1 && n <= DECISION_LOG_MAX_KEEP)) return fail(key, value, `a whole number of rotated files to keep, from 1 to ${DECISION_LOG_MAX_KEEP}`);
        decisionLog = { ...decisionLog, keep: n };
        break;
      }
      case 'gatos.reponame':
        if (!/^[A-Za-z0-9._~-]{1,128}$/.test(value)) return fail(key, value, 'a repository name of 1 to 128 letters, digits, ., _, ~ or -');
        repoName = value;
        break;
      default:
        break;
    }
  }
  return ok({
    mode,
    budget: timeBudget(host ?? DEFAULT_HOST, budgetBaseMs, budgetPerObjectMs),
    output,
    actorEnv: actorEnv ?? [...DEFAULT_ACTOR_ENV],
    actorMap,
    ...(actorKind ? { actorKind } : {}),
    ffOnly,
    isFfOnly: anyRefMatcher(ffOnly),
    ...(remote !== undefined ? { remote } : {}),
    maxFutureSkewSeconds,
    pushCertKeys,
    ...(maxPastSkewSeconds !== undefined ? { maxPastSkewSeconds } : {}),
    ...(maxObjectBytes !== undefined ? { maxObjectBytes } : {}),
    tipTypes,
    networks,
    ...(host !== undefined ? { host } : {}),
    decisionLog,
    ...(repoName !== undefined ? { repoName } : {}),
  });
}
