/**
 * The adversarial suite's harness: every attack is a real push against a
 * bare repository with the gate installed by ./install.sh (GateWorld), sent
 * either by the stock git client or by rawPush below, a receive-pack client
 * of our own for what the stock client will not send (ref names it refuses
 * to form, objects it would never pack, several commands in one request).
 *
 * expectAttackRefused asserts the five things every refused attack must
 * show: a non-zero push status, the expected code and rule on the client's
 * `remote:` lines and in exactly one new audit entry, server refs unchanged,
 * and a server repository that `git fsck --strict` calls clean.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { GateWorld, Run } from '../helpers/gate-world';

export interface Expected {
  readonly code: string;
  /** The rule id; absent: any rule with that code. */
  readonly rule?: string;
}

/** `git fsck --strict` on the server: a refused attack leaves no broken object reachable or loose. */
export function fsckStrict(world: GateWorld): Run {
  return world.git(world.root, ['--git-dir', world.gitDir, 'fsck', '--strict', '--no-progress']);
}


/**
 * An attack the gate must refuse: refused, the code and rule on the
 * client's lines and in exactly one new audit entry (enforced), server
 * refs unchanged, fsck --strict clean. Returns the push for further checks.
 */
export function expectAttackRefused(world: GateWorld, push: () => Run, want: Expected): Run {
  const before = world.serverRefs();
  const entries = world.auditEntries();
  const r = push();
  const shown = `${r.stdout}\n${r.stderr}`;
  if (r.status === 0) throw new Error(`the attack was accepted (expected ${want.code}${want.rule ? ` ${want.rule}` : ''}):\n${shown}`);
  expect(shown).toContain(`code:   ${want.code}`);
  if (want.rule) expect(shown).toContain(`rule:   ${want.rule}`);
  expect(shown).not.toMatch(/^\s*(remote: )?\s*at .*\(.*:\d+:\d+\)$/m);
  expect(world.serverRefs()).toBe(before);
  const after = world.auditEntries();
  expect(after.length).toBe(entries.length + 1);
  const last = after[after.length - 1];
  expect(last?.outcome).toBe('refused');
  const named = (last?.denials ?? []).some((d) => d.code === want.code && (want.rule === undefined || d.rule === want.rule) && d.enforced);
  const gateError = last?.gate_error?.code === want.code && want.rule === undefined;
  if (!named && !gateError) throw new Error(`the audit entry does not name ${want.code} ${want.rule ?? ''}: ${JSON.stringify(last)}`);
  const fsck = fsckStrict(world);
  if (fsck.status !== 0) throw new Error(`git fsck --strict on the server failed after the attack:\n${fsck.stdout}\n${fsck.stderr}`);
  return r;
}

/**
 * A legitimate variant the gate must accept: status 0, no denial, and no new
 * audit entry but an accepted one (an `audit: true` rule that allowed it, such
 * as a policy change, is recorded: decision 0029).
 */
export function expectAccepted(world: GateWorld, push: () => Run): Run {
  const entries = world.auditEntries().length;
  const r = push();
  if (r.status !== 0) throw new Error(`the legitimate push was refused:\n${r.stdout}\n${r.stderr}`);
  expect(r.stderr).not.toContain('DENIED');
  expect(world.auditEntries().slice(entries).filter((e) => e.outcome !== 'accepted' || e.denials.length > 0)).toEqual([]);
  return r;
}

export interface RawCommand {
  /** Old and new ids as hex (the zero id for a create or a delete). */
  readonly old: string;
  readonly new: string;
  /** The ref name as bytes (any bytes git's receive-pack will take). */
  readonly ref: string | Buffer;
}

export interface RawPushOptions {
  /** The environment receive-pack runs with (file:// semantics: GATOS_ACTOR names the pusher). */
  readonly env?: Record<string, string>;
  readonly commands: readonly RawCommand[];
  /** The repository the pack's objects are read from (a client clone's git dir or work tree). */
  readonly from: string;
  /** Object ids to pack exactly as listed (any type, any forged object). */
  readonly objects?: readonly string[];
  /** Or revisions for `pack-objects --revs` (e.g. `<new>`, `^<old>`). */
  readonly revs?: readonly string[];
  readonly atomic?: boolean;
  readonly pushOptions?: readonly string[];
  readonly format?: 'sha1' | 'sha256';
}

function pkt(payload: Buffer | string): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  return Buffer.concat([Buffer.from((body.length + 4).toString(16).padStart(4, '0'), 'latin1'), body]);
}

const FLUSH = Buffer.from('0000', 'latin1');

/**
 * A push through `git receive-pack <server>` spoken directly (protocol v0,
 * report-status), the pack built by `git pack-objects` in `from`. What the
 * hooks print reaches stderr as it would under file://.
 */
export function rawPush(world: GateWorld, o: RawPushOptions): Run {
  const caps = ['report-status', ...(o.atomic ? ['atomic'] : []), ...(o.pushOptions ? ['push-options'] : []), ...(o.format === 'sha256' ? ['object-format=sha256'] : [])].join(' ');
  const parts: Buffer[] = [];
  o.commands.forEach((c, i) => {
    const ref = typeof c.ref === 'string' ? Buffer.from(c.ref, 'utf8') : c.ref;
    const head = Buffer.from(`${c.old} ${c.new} `, 'latin1');
    const tail = i === 0 ? Buffer.from(`\0${caps}\n`, 'latin1') : Buffer.from('\n', 'latin1');
    parts.push(pkt(Buffer.concat([head, ref, tail])));
  });
  parts.push(FLUSH);
  if (o.pushOptions) {
    for (const p of o.pushOptions) parts.push(pkt(`${p}\n`));
    parts.push(FLUSH);
  }
  const zero = /^0+$/;
  if (o.commands.some((c) => !zero.test(c.new))) {
    const list = o.objects ? o.objects : o.revs ?? [];
    const args = ['pack-objects', '--stdout', '-q', ...(o.objects ? [] : ['--revs'])];
    const pack = spawnSync('git', args, { cwd: o.from, env: world.env(), input: `${list.join('\n')}\n`, maxBuffer: 1 << 30 });
    if (pack.status !== 0) throw new Error(`pack-objects failed: ${pack.stderr.toString('utf8')}`);
    parts.push(pack.stdout);
  }
  const r = spawnSync('git', ['receive-pack', world.gitDir], { env: world.env(o.env ?? {}), input: Buffer.concat(parts), maxBuffer: 1 << 30 });
  const stdout = r.stdout?.toString('latin1') ?? '';
  // receive-pack itself exits 0 after reporting; a refused ref shows as `ng` in the report.
  const refused = /(^|[\n\0])[0-9a-f]{4}(ng |unpack (?!ok))/.test(stdout) || !/[0-9a-f]{4}ok /.test(stdout);
  return { status: r.status === 0 && !refused ? 0 : r.status === 0 ? 1 : r.status, stdout, stderr: r.stderr?.toString('utf8') ?? '' };
}

/** The zero id of the world's object format. */
export function zeroId(world: GateWorld): string {
  return '0'.repeat(world.opts.format === 'sha256' ? 64 : 40);
}

/** Writes an object of any type with `hash-object --literally` in `dir`; returns its id. */
export function writeLiteral(world: GateWorld, dir: string, type: string, body: string | Buffer): string {
  const r = spawnSync('git', ['hash-object', '-w', '--literally', '-t', type, '--stdin'], { cwd: dir, env: world.env(), input: body });
  if (r.status !== 0) throw new Error(`hash-object failed: ${r.stderr.toString('utf8')}`);
  return r.stdout.toString('utf8').trim();
}

/**
 * An attack git itself refuses before any hook runs (receive.fsckObjects,
 * set by install.sh): refused, git's fsck message id on the client's lines,
 * no hook ran (so no audit entry: git never starts pre-receive when the
 * pack fails its checks), server refs unchanged, fsck --strict clean.
 */
export function expectObjectCheckRefused(world: GateWorld, push: () => Run, msgId: string): Run {
  const before = world.serverRefs();
  const entries = world.auditEntries().length;
  const r = push();
  const shown = `${r.stdout}\n${r.stderr}`;
  if (r.status === 0) throw new Error(`the attack was accepted (expected git's fsck to refuse it with ${msgId}):\n${shown}`);
  expect(shown).toContain(`${msgId}:`);
  expect(shown).not.toContain('code:');
  expect(world.serverRefs()).toBe(before);
  expect(world.auditEntries().length).toBe(entries);
  const fsck = fsckStrict(world);
  if (fsck.status !== 0) throw new Error(`git fsck --strict on the server failed after the attack:\n${fsck.stdout}\n${fsck.stderr}`);
  return r;
}

/** Sets (or with `undefined` unsets) a config key of the server repository. */
export function serverConfig(world: GateWorld, key: string, value: string | undefined): void {
  const r = value === undefined ? world.git(world.root, ['--git-dir', world.gitDir, 'config', '--unset-all', key]) : world.git(world.root, ['--git-dir', world.gitDir, 'config', key, value]);
  if (r.status !== 0 && !(value === undefined && r.status === 5)) throw new Error(`git config ${key}: ${r.stderr}`);
}

/**
 * expectAttackRefused for an install whose hook runs after git moved the
 * pack out of quarantine (the update hook alone): refused with the code and
 * rule, one audit entry, refs unchanged, but the refused objects stay in the
 * object store, unreachable. Asserts exactly that: fsck --strict is clean
 * once unreachable objects are pruned (`git prune --expire=now`).
 */
export function expectAttackRefusedObjectsKept(world: GateWorld, push: () => Run, want: Expected): Run {
  // The same world, whose `git fsck --strict` on the server first prunes what no ref reaches.
  const pruning = Object.create(world) as GateWorld;
  pruning.git = (cwd, args, extra, input) => {
    if (!(args.includes('fsck') && args.includes('--strict'))) return world.git(cwd, args, extra, input);
    const p = world.git(world.root, ['--git-dir', world.gitDir, 'prune', '--expire=now']);
    return p.status !== 0 ? p : fsckStrict(world);
  };
  return expectAttackRefused(pruning, push, want);
}

/**
 * Publishes a new active bundle as user:root: the template's policy and
 * folds, the world's current trust graph (gatos/trust of the admin
 * workspace) and `files` (paths under the workspace, e.g.
 * `gatos/folds/x.lua`), pushed and checked accepted.
 */
export function publishBundle(world: GateWorld, template: string, files: Readonly<Record<string, string>>, clientName = 'root-publisher'): void {
  const root = world.client('user:root', clientName);
  const must = (r: Run, what: string): void => {
    if (r.status !== 0 || r.stderr.includes('DENIED')) throw new Error(`${what}:\n${r.stdout}\n${r.stderr}`);
  };
  must(world.gatos(root, ['policy', 'init', '--template', template, '--force']), 'policy init');
  cpSync(path.join(world.admin, 'gatos/trust'), path.join(root, 'gatos/trust'), { recursive: true });
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), text);
  }
  must(world.gatos(root, ['policy', 'publish', '--as', 'user:root']), 'policy publish');
  must(world.push(root, 'user:root', ['refs/gatos/policies/*']), 'push of the bundle');
}
