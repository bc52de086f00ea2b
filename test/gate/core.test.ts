/** The pure core alone: parsing updates, classifying refs, settings, pushers, decisions, refusal text, audit entries. */
import { canonicalJson } from './imports';
import { compilePolicy, loadPolicy } from '../../src/rgs';
import { readTrustSet, emptyGraphJson } from '../../src/trust';
import {
  auditEntry,
  classifyRef,
  decideUpdate,
  parseUpdateLines,
  readGateConfig,
  refusalLines,
  resolvePusher,
  transportOf,
  updateKind,
  verdictOf,
  type ActiveBundle,
  type GateConfig,
  type UpdateFacts,
} from '../../src/gate';
import { HOSTS, HOST_PROFILES } from '../../src/gate/hosts';


const Z = '0'.repeat(40);
const A = 'a'.repeat(40);
const B = 'b'.repeat(40);

function config(entries: [string, string][] = []): GateConfig {
  const c = readGateConfig(entries);
  if (!c.ok) throw new Error(c.error.message);
  return c.value;
}

function bundle(rgs: string): ActiveBundle {
  const c = compilePolicy([{ file: 'p.rgs', text: rgs }]);
  if (!c.ok) throw new Error(JSON.stringify(c.error));
  const p = loadPolicy(c.value.bytes);
  if (!p.ok) throw new Error(p.error.message);
  const g = canonicalJson(emptyGraphJson());
  const t = readTrustSet(new Map([['graph.json', g]]));
  if (!t.ok) throw new Error(t.error.message);
  return { commit: 'c'.repeat(40), policyCodeRoot: c.value.root, policy: p.value, trust: t.value, folds: [] };
}

const env = { pusher: {}, now: 1_700_000_000, transport: 'file' as const, pushOptions: [] };

function facts(ref: string, oldId: string, newId: string, fastForward: boolean): UpdateFacts {
  return { update: { ref, oldId, newId }, fastForward, commits: [{ id: newId, parents: 1, paths: ['a.txt'], signed: false }], events: [], checkpoints: [], tip: ['commit'] };
}

describe('ref updates', () => {
  it('parses pre-receive lines and refuses malformed ones (fail closed)', () => {
    const ok = parseUpdateLines('sha1', `${Z} ${A} refs/heads/main\n${A} ${B} refs/gatos/state/x\n`);
    expect(ok.ok && ok.value).toEqual([
      { ref: 'refs/heads/main', oldId: Z, newId: A },
      { ref: 'refs/gatos/state/x', oldId: A, newId: B },
    ]);
    // Empty input too: git never runs pre-receive without an update, so something else read its stdin.
    for (const bad of [`${Z} ${A}\n`, `${Z} ${'A'.repeat(40)} refs/heads/x\n`, `${Z} ${A} main\n`, `${'0'.repeat(64)} ${A} refs/heads/x\n`, '', '\n']) {
      const r = parseUpdateLines('sha1', bad);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error.code).toBe('GATE_ERROR');
    }
    expect(parseUpdateLines('sha256', `${'0'.repeat(64)} ${'e'.repeat(64)} refs/heads/x\n`).ok).toBe(true);
  });

  it('names the kind of each move', () => {
    expect(updateKind({ ref: 'r', oldId: Z, newId: A }, false)).toBe('create');
    expect(updateKind({ ref: 'r', oldId: A, newId: Z }, false)).toBe('delete');
    expect(updateKind({ ref: 'r', oldId: A, newId: B }, true)).toBe('write');
    expect(updateKind({ ref: 'r', oldId: A, newId: B }, false)).toBe('force');
  });

  it('classifies refs into planes', () => {
    expect(classifyRef('refs/gatos/journal/finance/user/alice').plane).toBe('journal');
    expect(classifyRef('refs/gatos/journal/finance/user/Alice').plane).toBe('gatos-other');
    expect(classifyRef('refs/gatos/state/finance')).toEqual({ plane: 'state', ns: 'finance' });
    expect(classifyRef('refs/gatos/policies/active')).toEqual({ plane: 'policy', active: true });
    expect(classifyRef('refs/gatos/policies/nothex').plane).toBe('gatos-other');
    expect(classifyRef('refs/gatos/audit/policy').plane).toBe('audit');
    expect(classifyRef('refs/heads/main').plane).toBe('other');
  });
});

describe('settings and pushers', () => {
  it('refuses bad or unknown settings instead of defaulting', () => {
    for (const [k, v] of [['gatos.mode', 'enforec'], ['gatos.timebudgetms', '0'], ['gatos.timebudgetms', '4s'], ['gatos.output', 'xml'], ['gatos.actormap', 'alice'], ['gatos.ffonly', 'heads/main'], ['gatos.colour', 'x']] as const) {
      const r = readGateConfig([[k, v]]);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error.message).toContain(k);
    }
    const c = config([['gatos.ffonly', 'refs/heads/main']]);
    expect(c.isFfOnly('refs/heads/main')).toBe(true);
    expect(c.isFfOnly('refs/gatos/journal/a/user/b')).toBe(true);
    expect(c.isFfOnly('refs/heads/feature')).toBe(false);
  });

  it('names the pusher from the first set variable, mapped by configuration', () => {
    const c = config([['gatos.actormap', 'al user:alice'], ['gatos.actorkind', 'user']]);
    expect(resolvePusher({ GL_USER: 'al', REMOTE_USER: 'bob' }, c).actor?.id).toBe('user:alice');
    expect(resolvePusher({ REMOTE_USER: 'bob' }, c).actor?.id).toBe('user:bob');
    expect(resolvePusher({ GATOS_ACTOR: 'agent:ci' }, c).actor?.id).toBe('agent:ci');
    expect(resolvePusher({ REMOTE_USER: 'Bob Smith' }, c).actor).toBeUndefined();
    expect(resolvePusher({}, config()).problem).toMatch(/none of GATOS_ACTOR/);
    expect(transportOf({ SSH_CONNECTION: '10.0.0.1 5 127.0.0.1 22' })).toEqual({ transport: 'ssh', clientIp: '10.0.0.1' });
    expect(transportOf({ REMOTE_ADDR: '::1', GATEWAY_INTERFACE: 'CGI/1.1' })).toEqual({ transport: 'http', clientIp: '::1' });
  });
});

describe('decisions', () => {
  const policy = bundle('rules:\n  - id: branches\n    when: { ref: "refs/heads/**" }\n    allow_if: true\n  - id: tags/no\n    when: { ref: "refs/tags/**" }\n    deny_if: true\n    reason: no tags\n');

  it('allows what the policy allows and refuses what the gate forbids whatever the policy says', () => {
    const ok = decideUpdate(facts('refs/heads/x', A, B, true), policy, config(), env);
    expect(ok.allowed).toBe(true);
    expect(ok.allowedBy).toEqual(['branches']);
    const ff = decideUpdate(facts('refs/heads/main', A, B, false), policy, config([['gatos.ffonly', 'refs/heads/main']]), env);
    expect(ff.allowed).toBe(false);
    expect(ff.denials.map((d) => [d.code, d.ruleId])).toEqual([['FF_VIOLATION', 'gate/fast-forward-only']]);
    const audit = decideUpdate(facts('refs/gatos/audit/policy', A, B, true), policy, config(), env);
    expect(audit.denials.map((d) => d.ruleId)).toEqual(['gate/audit-readonly', 'default-deny']);
    const tag = decideUpdate(facts('refs/tags/v1', Z, B, false), policy, config(), env);
    expect(tag.denials).toEqual([expect.objectContaining({ code: 'POLICY_DENY', ruleId: 'tags/no', reason: 'no tags', enforced: true })]);
  });

  it('in evaluate mode records every denial without enforcing it', () => {
    const d = decideUpdate(facts('refs/tags/v1', Z, B, false), policy, config([['gatos.mode', 'evaluate']]), env);
    expect(d.allowed).toBe(true);
    expect(d.denials.every((x) => !x.enforced)).toBe(true);
    const v = verdictOf([d]);
    expect(v.accepted).toBe(true);
    expect(refusalLines(v, 'text')[0]).toMatch(/accepted; evaluate-mode rules would have denied/);
  });

  it('refusal text has code, rule, ref, reason and hint; JSON lines parse', () => {
    const v = verdictOf([decideUpdate(facts('refs/heads/main', A, B, false), policy, config([['gatos.ffonly', 'refs/heads/main']]), env)]);
    const text = refusalLines(v, 'text').join('\n');
    for (const part of ['DENIED refs/heads/main', 'code:   FF_VIOLATION', 'rule:   gate/fast-forward-only', 'reason: ', 'hint:   fetch']) expect(text).toContain(part);
    const json = refusalLines(v, 'json').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(json).toEqual([expect.objectContaining({ gatos: 'denial', ref: 'refs/heads/main', code: 'FF_VIOLATION', rule: 'gate/fast-forward-only', enforced: true })]);
  });

  it('audit entries are self-contained canonical JSON: same inputs, same bytes', () => {
    const v = verdictOf([decideUpdate(facts('refs/tags/v1', Z, B, false), policy, config(), env)]);
    const ctx = { hook: 'pre-receive' as const, now: 1_700_000_000, mode: 'enforce' as const, transport: 'file', updates: [{ ref: 'refs/tags/v1', oldId: Z, newId: B }], actor: 'user:alice' };
    const a = canonicalJson(auditEntry(v, ctx) as never);
    const b = canonicalJson(auditEntry(v, ctx) as never);
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
    const e = JSON.parse(Buffer.from(a).toString('utf8')) as { time: string; updates: { commits: string[] }[]; denials: { rule: string }[] };
    expect(e.time).toBe('2023-11-14T22:13:20Z');
    expect(e.updates[0]?.commits).toEqual([B]);
    expect(e.denials[0]?.rule).toBe('tags/no');
  });
});

describe('refusal footer says what became of the audit entry', () => {
  const policy = bundle('rules:\n  - id: branches\n    when: { ref: "refs/heads/**" }\n    allow_if: true\n');
  const refused = () => verdictOf([decideUpdate(facts('refs/heads/main', A, 'b'.repeat(40), false), policy, config([['gatos.ffonly', 'refs/heads/main']]), env)]);

  it('recorded: names the audit ref', () => {
    expect(refusalLines(refused(), 'text', 'recorded').at(-1)).toBe('Nothing was written. This refusal is recorded in refs/gatos/audit/policy.');
  });

  it('not recorded: says so and sends the user to the operator, never claims a record', () => {
    const last = refusalLines(refused(), 'text', 'not-recorded').at(-1) ?? '';
    expect(last).toContain('could NOT be written');
    expect(last).not.toContain('is recorded');
  });

  it('no push (gate check): no claim about the audit trail at all', () => {
    expect(refusalLines(refused(), 'text').join('\n')).not.toMatch(/audit/);
  });
});

describe('hosts (gatos.host, docs/hosts/)', () => {
  it('gatos.host takes the known hosts only', () => {
    for (const h of HOSTS) expect(config([['gatos.host', h]]).host).toBe(h);
    const bad = readGateConfig([['gatos.host', 'github']]);
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error.message).toContain('gatos.host');
    expect(config().host).toBeUndefined();
  });

  it("names the host's variables and page when no pusher identity arrived, and a name that maps to nobody", () => {
    const c = config([['gatos.host', 'gitlab'], ['gatos.actorenv', (HOST_PROFILES.gitlab.actorEnv ?? []).join(',')]]);
    expect(resolvePusher({ GATOS_ACTOR: 'user:alice' }, c).problem).toBe('no pusher identity: the host set none of GL_USERNAME, GL_ID; see docs/hosts/gitlab.md');
    expect(resolvePusher({}, config()).problem).toBe('no pusher identity: the host set none of GATOS_ACTOR, GL_USER, GL_USERNAME, REMOTE_USER; see docs/hosts/plain.md');
    expect(resolvePusher({ GL_USERNAME: 'Bob Smith' }, c).problem).toMatch(/^no pusher identity: GL_USERNAME="Bob Smith" maps to no GATOS actor .*docs\/hosts\/gitlab\.md$/);
  });

  it("a policy denial for want of 'actor' says no pusher identity reached the gate; other denials keep their reason", () => {
    const b = bundle('rules:\n  - id: journal/own\n    when: { ref: "refs/gatos/journal/**" }\n    allow_if: "actor.name == \'alice\'"\n  - id: tags/no\n    when: { ref: "refs/tags/**" }\n    deny_if: true\n    reason: no tags\n');
    const c = config([['gatos.host', 'gitea'], ['gatos.actorenv', 'GITEA_PUSHER_NAME']]);
    const env = { pusher: resolvePusher({}, c), now: 1_700_000_000, transport: 'file' as const, pushOptions: [] };
    const d = decideUpdate(facts('refs/gatos/journal/demo/user/alice', A, B, true), b, c, env);
    expect(d.denials.map((x) => x.reason)).toEqual(['no pusher identity: the host set none of GITEA_PUSHER_NAME; see docs/hosts/gitea.md (rule journal/own needs the pusher)']);
    const t = decideUpdate(facts('refs/tags/v1', Z, B, false), b, c, env);
    expect(t.denials.map((x) => x.reason)).toEqual(['no tags']);
  });

  it("takes GitLab's GL_PROTOCOL as the transport where sshd's and CGI's variables do not reach", () => {
    expect(transportOf({ GL_PROTOCOL: 'ssh' })).toEqual({ transport: 'ssh' });
    expect(transportOf({ GL_PROTOCOL: 'http' })).toEqual({ transport: 'http' });
    expect(transportOf({ GL_PROTOCOL: 'web' })).toEqual({ transport: 'http' });
    expect(transportOf({ GL_PROTOCOL: 'carrier-pigeon' })).toEqual({ transport: 'file' });
    expect(transportOf({ SSH_CONNECTION: '10.0.0.1 5 127.0.0.1 22', GL_PROTOCOL: 'http' })).toEqual({ transport: 'ssh', clientIp: '10.0.0.1' });
  });
});
