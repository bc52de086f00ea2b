/**
 * What a decision made ahead read of its environment (decision 0061), so
 * that a request whose environment differs only where nothing looked can
 * use it. sshd gives every connection its own SSH_CONNECTION (the client's
 * port) and a CGI server its own REMOTE_PORT: compared whole, no push over
 * ssh:// or http:// ever matched the one guessed from the last push.
 *
 * The decision reads the environment through view(): every key it asks for
 * (get, `in`, a property check) is kept with the value it saw, and one
 * enumeration (Object.keys, a spread, JSON) keeps the whole environment.
 * Beside what was read, every `GIT_*` variable is compared, both ways:
 * the repository view reads git's own variables (object folders, the
 * quarantine, GIT_DIR) from its copy, outside this view. Two of them, which
 * git sets for each hook when its trace2 output is on, are left out: nothing
 * of the gate reads them. Pure.
 */

/** Set by git for every child process while trace2 is on (a session id per process); nothing in src/ reads them. */
const GIT_BOOKKEEPING = new Set(['GIT_TRACE2_PARENT_SID', 'GIT_TRACE2_PARENT_NAME']);

/**
 * Variables kept by what their readers take of them. SSH_CONNECTION and SSH_CLIENT are read by name only by
 * transportOf (src/gate/pusher.ts): whether one is set, whether it is empty, and its first field, the client's
 * address; not the ports nor the server's address (test/serve/env-reads.test.ts holds transportOf to that). A
 * variable the settings name (gatos.actorEnv: resolvePusher reads it whole) is kept whole: see the constructor.
 */
const PROJECTIONS: Readonly<Record<string, (v: string) => string>> = {
  SSH_CONNECTION: sshClientAddress,
  SSH_CLIENT: sshClientAddress,
};

function sshClientAddress(v: string): string {
  return v === '' ? '' : `address ${v.split(' ')[0] ?? ''}`;
}

type Env = Readonly<Record<string, string>>;

const own = (env: Env, key: string): string | undefined => (Object.prototype.hasOwnProperty.call(env, key) ? env[key] : undefined);

export class EnvReads {
  private readonly seen = new Map<string, string | undefined>();
  private enumerated = false;
  private readonly readWhole: ReadonlySet<string>;

  /**
   * `readWhole`: variables some reader takes whole by a name it was given (the settings' gatos.actorEnv), which no
   * projection may then stand for (the tenth attack pass: an actorEnv of SSH_CONNECTION put the last connection's
   * ports into the request's audit entry).
   */
  constructor(
    private readonly env: Env,
    readWhole: readonly string[] = [],
  ) {
    this.readWhole = new Set(readWhole);
  }

  private kept(key: string, value: string | undefined): string | undefined {
    const p = this.readWhole.has(key) ? undefined : PROJECTIONS[key];
    return value === undefined || !p ? value : p(value);
  }

  /** The environment, reading through which is recorded. */
  view(): Env {
    const note = (key: string | symbol): void => {
      if (typeof key === 'string' && !this.seen.has(key)) this.seen.set(key, this.kept(key, own(this.env, key)));
    };
    return new Proxy(this.env, {
      get: (target, key, receiver) => {
        note(key);
        return Reflect.get(target, key, receiver) as unknown;
      },
      has: (target, key) => {
        note(key);
        return Reflect.has(target, key);
      },
      getOwnPropertyDescriptor: (target, key) => {
        note(key);
        return Reflect.getOwnPropertyDescriptor(target, key);
      },
      ownKeys: (target) => {
        this.enumerated = true;
        return Reflect.ownKeys(target);
      },
    });
  }

  /** Whether everything read (and every git variable) is the same in `asked`. */
  sameIn(asked: Env): boolean {
    if (this.enumerated) return sameEnv(this.env, asked);
    for (const [key, value] of this.seen) if (this.kept(key, own(asked, key)) !== value) return false;
    return sameGitVariables(this.env, asked) && sameGitVariables(asked, this.env);
  }
}

function sameGitVariables(a: Env, b: Env): boolean {
  for (const key of Object.keys(a)) {
    if (key.startsWith('GIT_') && !GIT_BOOKKEEPING.has(key) && own(b, key) !== a[key]) return false;
  }
  return true;
}

/** The same keys with the same values. */
export function sameEnv(a: Env, b: Env): boolean {
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((k) => Object.prototype.hasOwnProperty.call(b, k) && a[k] === b[k]);
}
