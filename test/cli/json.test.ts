/**
 * `--json` on every command that prints a result, with one key casing
 * (snake_case, docs/cli.md "JSON output"): a workspace, a bundle, an event,
 * a checkpoint and a gated server, each command run with --json and its
 * stdout parsed.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { runCli } from '../helpers/cli';
import { git, gitText } from '../helpers/git';
import { tmpDir } from '../helpers/tmp';

jest.setTimeout(180_000);

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Every object key in `v`, with its path; maps whose keys are data (fold run's `files`) are left out. */
function keys(v: Json, at = ''): string[] {
  if (Array.isArray(v)) return v.flatMap((x, i) => keys(x, `${at}[${i}]`));
  if (typeof v !== 'object' || v === null) return [];
  return Object.entries(v).flatMap(([k, x]) => [`${at}.${k}`, ...(k === 'files' ? [] : keys(x, `${at}.${k}`))]);
}

const SNAKE = /\.[a-z][a-z0-9_]*$/;

describe('--json', () => {
  const dir = tmpDir('gatos-json-');
  const keyDir = path.join(dir, 'keys');
  const clone = path.join(dir, 'clone');
  const server = path.join(dir, 'server.git');
  const env = { GATOS_KEY_DIR: keyDir };
  git(dir, ['init', '-q', clone]);
  git(dir, ['init', '-q', '--bare', server]);
  const outputs: Record<string, Json> = {};

  /** Runs a command with --json in the clone: exit `status`, stdout one JSON document (or JSON Lines), kept for the casing check. */
  function json(name: string, args: string[], status = 0): Json {
    const r = runCli([...args, '--json'], { cwd: clone, env });
    if (r.status !== status) throw new Error(`${args.join(' ')} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
    const lines = r.stdout.trim().split('\n');
    const doc = (lines.length > 1 && name.endsWith('(lines)') ? lines.map((l) => JSON.parse(l) as Json) : JSON.parse(r.stdout)) as Json;
    outputs[name] = doc;
    return doc;
  }

  test('each command prints JSON with the fields its text output has', () => {
    expect(json('init', ['init'])).toMatchObject({ created: expect.arrayContaining([expect.stringContaining('gatos/trust')]) });
    expect(json('version', ['version'])).toMatchObject({ gatos: expect.stringMatching(/^\d+\.\d+\.\d+$/), rgc: expect.any(Number) });
    const key = json('key new', ['key', 'new', '--actor', 'user:alice']) as { public_key: string };
    expect(key).toMatchObject({ actor: 'user:alice', public_key: expect.stringMatching(/^ed25519:[0-9a-f]{64}$/), previous_key_file: null });
    expect(json('trust add', ['trust', 'add', 'user:alice', key.public_key, '--level', '3', '--as', 'user:alice'])).toMatchObject({ actor: 'user:alice', level: 3, root: true, rotated: false });
    const grant = json('trust grant', ['trust', 'grant', '--to', 'user:alice', '--caps', 'journal:append,state:checkpoint', '--exp', '2099-01-01T00:00:00Z', '--as', 'user:alice']) as { grant: string };
    expect(grant.grant).toMatch(/^[0-9a-f]{64}$/);
    expect(runCli(['policy', 'init', '--template', 'minimal'], { cwd: clone, env }).status).toBe(0);
    expect(json('policy publish --dry-run', ['policy', 'publish', '--dry-run', '--as', 'user:alice'])).toMatchObject({ published: false, folds: [{ id: 'activity' }] });
    expect(json('policy publish', ['policy', 'publish', '--as', 'user:alice'])).toMatchObject({ published: true, commit: expect.stringMatching(/^[0-9a-f]{40}$/) });
    expect(json('policy test', ['policy', 'test', 'gatos/policies'])).toMatchObject({ failed: 0, passed: expect.any(Number), tests: expect.arrayContaining([expect.objectContaining({ ok: true })]) });
    expect(json('policyc', ['policyc', 'gatos/policies', '-o', path.join(dir, 'p.rgc')])).toMatchObject({ policy_root: expect.stringMatching(/^sha256:/) });
    expect(json('foldc', ['foldc', 'gatos/folds/activity.yaml', '-o', path.join(dir, 'a.rgf')])).toMatchObject({ fold_root: expect.stringMatching(/^sha256:/) });
    expect(json('event add', ['event', 'add', '--ns', 'finance', '--type', 't', '--payload', '{"camelKey":1}', '--caps', 'journal:append', '--as', 'user:alice'])).toMatchObject({ journal: 'refs/gatos/journal/finance/user/alice', event_cid: expect.any(String) });
    expect(json('event verify', ['event', 'verify', 'refs/gatos/journal/finance/user/alice'])).toMatchObject({ verified: true, events: [{ type: 't', actor: 'user:alice' }] });
    expect(json('fold checkpoint', ['fold', 'checkpoint', '--ns', 'finance', '--as', 'user:alice'])).toMatchObject({ written: true, ref: 'refs/gatos/state/finance', events: 1 });
    expect(json('fold verify', ['fold', 'verify', 'refs/gatos/state/finance'])).toMatchObject({ identical: true, base: 'scratch' });
    expect(json('fold run', ['fold', 'run', '--fold', 'gatos/folds/activity.yaml', '--events', 'refs/gatos/journal/finance/**'])).toMatchObject({ state_root: expect.any(String), events: 1 });
    expect(json('policy explain', ['policy', 'explain', path.join(dir, 'p.rgc'), writeRequest(dir)])).toMatchObject({ decision: { effect: 'allow', rule_ids: expect.any(Array) } });
    expect(json('lint', ['lint', writeLua(dir)], 2)).toEqual(expect.arrayContaining([expect.objectContaining({ severity: 'error', code: 'fold-shape' })]));

    // The operator's side: a gated server, a check, the audit trail.
    expect(runCli(['install', server, '--template', 'minimal'], { cwd: dir, env }).status).toBe(0);
    const commit = gitText(clone, ['rev-parse', 'refs/gatos/journal/finance/user/alice']);
    git(clone, ['push', '-q', server, 'refs/gatos/journal/finance/user/alice:refs/heads/tmp'], { env: { GATOS_ACTOR: 'user:alice' } });
    const check = json('gate check', ['gate', 'check', '--repo', server, '0'.repeat(40), commit, 'refs/gatos/journal/finance/user/bob', '--actor', 'user:alice'], 1) as { effect: string; decisions: { rule_id?: string; allowed_by: string[] }[]; denials: { rule_id: string }[] };
    expect(check.effect).toBe('deny');
    expect(check.denials[0]?.rule_id).toBeDefined();
    expect(check.decisions[0]?.allowed_by).toBeDefined();
    // Bob pushing alice's journal is refused (and with the template's empty trust graph, anyone's): one audit entry.
    expect(git(clone, ['push', '-q', server, 'refs/gatos/journal/finance/user/alice'], { env: { GATOS_ACTOR: 'user:bob' }, allowFailure: true }).status).not.toBe(0);
    expect(json('audit log (lines)', ['audit', 'log', '--repo', server])).toMatchObject({ commit: expect.any(String), entry: { outcome: 'refused' } });
  });

  test('one casing: every key is snake_case', () => {
    const camel = Object.entries(outputs).flatMap(([name, doc]) => keys(doc).filter((k) => !SNAKE.test(k)).map((k) => `${name}: ${k}`));
    expect(camel).toEqual([]);
    expect(Object.keys(outputs).length).toBeGreaterThanOrEqual(19);
  });
});

function writeRequest(dir: string): string {
  const file = path.join(dir, 'req.json');
  writeFileSync(file, JSON.stringify({ intent: 'write', ref: 'refs/heads/main', actor: { id: 'user:alice', kind: 'user', name: 'alice', trust: 3, groups: [] } }));
  return file;
}

/** A fold source with errors, so that lint has diagnostics to print. */
function writeLua(dir: string): string {
  const file = path.join(dir, 'shapeless.lua');
  writeFileSync(file, 'local M = {}\nfunction M.init() return {} end\nreturn M\n');
  return file;
}
