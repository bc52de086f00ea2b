import { evaluate, type Decision } from '../../src/rgs';
import { policyOf } from './helpers';

const POLICY = policyOf(`
rules:
  - id: finance-append
    when: { intent: write, path: "gatos/journal/finance/**" }
    allow_if:
      - "caps includes 'journal:append'"
      - "trust[actor].level >= 2"
    deny_if:
      - "labels contains 'private' and remote != 'internal'"
    audit: true
  - id: branches
    when: { intent: [write, fast_forward, create], ref: "refs/heads/**" }
    allow_if: "actor.kind == 'user' and in_cidr(client_ip, '10.0.0.0/8')"
  - id: no-force
    when: { intent: force }
    deny_if: true
    reason: "history on this server is never rewritten"
  - id: audit-readonly
    when: { ref: "refs/gatos/audit/**" }
    deny_if: true
  - id: agents-window
    when: { kind: agent }
    deny_if: "not before_epoch(2000)"
    code: CAP_EXPIRED
  - id: dry-signed
    mode: evaluate
    when: { intent: write }
    deny_if: "commits.unsigned > 0"
`);

const bob = { id: 'user:bob', kind: 'user', trust: 1, groups: [] };
const finance = {
  intent: 'write',
  ref: 'refs/gatos/journal/finance/user/bob',
  paths: ['gatos/journal/finance/2024/01.json'],
  actor: bob,
  caps: { 'journal:append': null },
  trust: { 'user:bob': { level: 2 } },
  labels: [],
  remote: 'internal',
  now: 1000,
  commits: { count: 1, unsigned: 0, merges: 0 },
};

function deny(d: Decision) {
  if (d.effect !== 'deny') throw new Error(`expected deny, got ${JSON.stringify(d)}`);
  return d;
}

describe('evaluate: decision semantics', () => {
  test('a satisfied requirement allows and lists the deciding rule ids', () => {
    const d = evaluate(POLICY, finance);
    expect(d).toEqual({ effect: 'allow', ruleIds: ['finance-append'], audit: ['finance-append'], evaluate: [] });
  });

  test('deny by default: a request no rule applies to is denied by default-deny', () => {
    const d = deny(evaluate(POLICY, { intent: 'delete', ref: 'refs/tags/v1', actor: bob }));
    expect(d).toMatchObject({ ruleId: 'default-deny', code: 'POLICY_DENY', allDenyIds: ['default-deny'] });
    expect(d.reason).toBe("no rule allows this request (intent 'delete', ref 'refs/tags/v1', actor user:bob)");
  });

  test('a failed requirement denies with a reason built from the rule', () => {
    const d = deny(evaluate(POLICY, { ...finance, caps: {} }));
    expect(d).toMatchObject({ ruleId: 'finance-append', code: 'POLICY_DENY', reason: "actor user:bob lacks capability 'journal:append'" });
    const low = deny(evaluate(POLICY, { ...finance, trust: { 'user:bob': { level: 1 } } }));
    expect(low.reason).toBe('requirement not met: trust[actor.id].level >= 2 (where actor.id = \'user:bob\', trust[actor.id] = {level: 1})');
  });

  test('an expired capability denies with CAP_EXPIRED (expiry is exclusive: valid while now < expiry)', () => {
    expect(evaluate(POLICY, { ...finance, caps: { 'journal:append': 1001 } }).effect).toBe('allow');
    const d = deny(evaluate(POLICY, { ...finance, caps: { 'journal:append': 1000 } }));
    expect(d).toMatchObject({ code: 'CAP_EXPIRED', reason: "capability 'journal:append' of actor user:bob expired at 1000 (now 1000)" });
  });

  test('a matching deny beats an allow from the same or another rule', () => {
    const d = deny(evaluate(POLICY, { ...finance, labels: ['private'], remote: 'github' }));
    expect(d.reason).toBe("deny_if holds: 'private' in labels and remote != 'internal' (where labels = ['private'], remote = 'github')");
    const both = deny(evaluate(POLICY, { ...finance, ref: 'refs/gatos/audit/policy' }));
    expect(both).toMatchObject({ ruleId: 'audit-readonly', allDenyIds: ['audit-readonly'] });
  });

  test('several denies: the smallest id decides, all are listed; a custom reason and code are used', () => {
    const d = deny(evaluate(POLICY, { intent: 'force', ref: 'refs/gatos/audit/x', actor: { ...bob, kind: 'agent' }, now: 5000 }));
    expect(d.allDenyIds).toEqual(['agents-window', 'audit-readonly', 'no-force']);
    expect(d).toMatchObject({ ruleId: 'agents-window', code: 'CAP_EXPIRED' });
    const f = deny(evaluate(POLICY, { intent: 'force', ref: 'refs/heads/main', actor: bob }));
    expect(f).toMatchObject({ ruleId: 'no-force', reason: 'history on this server is never rewritten' });
  });

  test('a missing attribute turns the rule into a deny naming it (never a skip)', () => {
    const noLabels: Record<string, unknown> = { ...finance };
    delete noLabels.labels;
    const d = deny(evaluate(POLICY, noLabels));
    expect(d.reason).toBe("cannot evaluate deny_if 'private' in labels and remote != 'internal': missing attribute 'labels'");
    const noTrust = deny(evaluate(POLICY, { ...finance, trust: {} }));
    expect(noTrust.reason).toContain("trust has no entry 'user:bob'");
    // A failing forbid in Cedar is skipped and the permit wins; here the request is refused.
    const noNow = deny(evaluate(POLICY, { ...finance, intent: 'create', ref: 'refs/heads/x', client_ip: '10.1.2.3', actor: { ...bob, kind: 'agent' }, now: undefined }));
    expect(noNow).toMatchObject({ ruleId: 'agents-window', reason: "cannot evaluate deny_if not before_epoch(2000): missing attribute 'now'" });
  });

  test('a value of the wrong type is an evaluation failure, not a crash', () => {
    const d = deny(evaluate(POLICY, { ...finance, trust: { 'user:bob': { level: '3' } } }));
    expect(d.reason).toContain("attribute 'trust[actor.id].level' is a string, expected an integer");
    const ip = deny(evaluate(POLICY, { intent: 'create', ref: 'refs/heads/x', actor: bob, client_ip: 'not-an-ip' }));
    expect(ip.reason).toContain('client_ip is not an IP address');
    expect(evaluate(POLICY, null).effect).toBe('deny');
    expect(evaluate(POLICY, [1, 2]).effect).toBe('deny');
  });

  test('and/or evaluate left to right and stop early', () => {
    const d = evaluate(POLICY, { intent: 'create', ref: 'refs/heads/x', actor: { ...bob, kind: 'agent' }, now: 10 });
    // actor.kind == 'user' is false, so in_cidr never reads the absent client_ip: a plain failed requirement.
    expect(deny(d).reason).toMatch(/^requirement not met: actor.kind == 'user' and in_cidr/);
  });

  test('rules in evaluate mode are recorded but never enforced', () => {
    const d = evaluate(POLICY, { ...finance, commits: { count: 2, unsigned: 1, merges: 0 } });
    expect(d.effect).toBe('allow');
    expect(d.evaluate).toEqual([{ ruleId: 'dry-signed', code: 'POLICY_DENY', reason: 'deny_if holds: commits.unsigned > 0 (where commits.unsigned = 1)' }]);
  });

  test('prototype keys in requests are data, never inherited properties', () => {
    const d = evaluate(POLICY, { ...finance, actor: { ...bob, id: '__proto__' }, trust: {} });
    expect(deny(d).reason).toContain("trust has no entry '__proto__'");
    expect(evaluate(POLICY, { ...finance, caps: { toString: null } }).effect).toBe('deny');
  });
});

describe('standard predicates', () => {
  const p = (cond: string) => policyOf(`rules:\n  - id: t\n    allow_if: "${cond.replace(/"/g, '\\"')}"\n`);
  const holds = (cond: string, req: object) => evaluate(p(cond), req).effect === 'allow';

  test('globs: * stays in a segment, ** crosses segments', () => {
    expect(holds("ref matches 'refs/heads/*'", { ref: 'refs/heads/main' })).toBe(true);
    expect(holds("ref matches 'refs/heads/*'", { ref: 'refs/heads/feature/x' })).toBe(false);
    expect(holds("ref matches 'refs/heads/**'", { ref: 'refs/heads/feature/x' })).toBe(true);
    expect(holds("any_match(paths, 'docs/**/*.md')", { paths: ['src/a.ts', 'docs/a/b/c.md'] })).toBe(true);
    expect(holds("all_match(paths, 'docs/**')", { paths: ['docs/a', 'src/b'] })).toBe(false);
    expect(holds("all_match(paths, 'docs/**')", { paths: [] })).toBe(true);
    expect(holds("any_match(paths, 'docs/**')", { paths: [] })).toBe(false);
  });

  test('the Casbin trap, observed: a deny written with * lets deeper paths through, ** does not', () => {
    const shallow = policyOf('rules:\n  - id: all\n    allow_if: true\n  - id: secret\n    when: { files: "secret/*" }\n    deny_if: true\n');
    const deep = policyOf('rules:\n  - id: all\n    allow_if: true\n  - id: secret\n    when: { files: "secret/**" }\n    deny_if: true\n');
    const req = { paths: ['secret/keys/prod.pem'] };
    expect(evaluate(shallow, req).effect).toBe('allow');
    expect(evaluate(deep, req).effect).toBe('deny');
  });

  test('in_cidr for IPv4 and IPv6, same family only', () => {
    expect(holds("in_cidr(client_ip, '10.0.0.0/8')", { client_ip: '10.200.3.4' })).toBe(true);
    expect(holds("in_cidr(client_ip, '10.0.0.0/8')", { client_ip: '11.0.0.1' })).toBe(false);
    expect(holds("in_cidr(client_ip, '192.168.1.0/25')", { client_ip: '192.168.1.127' })).toBe(true);
    expect(holds("in_cidr(client_ip, '192.168.1.0/25')", { client_ip: '192.168.1.128' })).toBe(false);
    expect(holds("in_cidr(client_ip, 'fd00::/8')", { client_ip: 'fd12:3456::1' })).toBe(true);
    expect(holds("in_cidr(client_ip, 'fd00::/8')", { client_ip: '10.0.0.1' })).toBe(false);
    expect(holds("in_cidr(client_ip, '0.0.0.0/0')", { client_ip: '1.2.3.4' })).toBe(true);
  });

  test('time, labels, groups, kinds, strings, sets and integers', () => {
    expect(holds('before_epoch(100)', { now: 99 })).toBe(true);
    expect(holds('before_epoch(100)', { now: 100 })).toBe(false);
    expect(holds('after_epoch(100)', { now: 100 })).toBe(true);
    expect(holds("label('pii')", { labels: ['pii'] })).toBe(true);
    expect(holds("in_group('leads')", { actor: { groups: ['leads'] } })).toBe(true);
    expect(holds("actor_kind('agent')", { actor: { kind: 'agent' } })).toBe(true);
    expect(holds("starts_with(ref, 'refs/tags/') and ends_with(ref, '-rc')", { ref: 'refs/tags/v1-rc' })).toBe(true);
    expect(holds("event.type contains 'invoice'", { event: { type: 'finance.invoice.created' } })).toBe(true);
    expect(holds('size(paths) <= 2', { paths: ['a', 'a', 'b'] })).toBe(true);
    expect(holds("'x' in push_options", { push_options: ['x'] })).toBe(true);
    expect(holds("transport not in ['file', 'local']", { transport: 'ssh' })).toBe(true);
    expect(holds('approvals - 1 >= -1 + 2', { approvals: 2 })).toBe(true);
  });

  test('integer overflow is an evaluation failure, never a wrap or a float', () => {
    const d = evaluate(p('now + 1 > 0'), { now: Number.MAX_SAFE_INTEGER });
    expect(d.effect).toBe('deny');
    if (d.effect === 'deny') expect(d.reason).toContain('integer overflow in now + 1');
  });
});

describe('schema names', () => {
  test('no attribute or field name is an Object.prototype member (the evaluator reads them directly)', () => {
    const { CONTEXT } = jest.requireActual('../../src/rgs/schema') as typeof import('../../src/rgs/schema');
    const names: string[] = [];
    const walk = (t: import('../../src/rgs/types').RgsType) => {
      if (t.kind === 'record') {
        for (const [k, v] of Object.entries(t.fields)) {
          names.push(k);
          walk(v);
        }
      }
      if (t.kind === 'map') walk(t.value);
    };
    for (const [k, v] of Object.entries(CONTEXT)) {
      names.push(k);
      walk(v.type);
    }
    expect(names.filter((n) => n in Object.prototype)).toEqual([]);
  });
});
