/**
 * The Fold-Engine value, `echo@<semver>+elc@<semver>+num=<model>+rng=<name>@<version>`,
 * parsed into its parts. '+' separates the parts, so the semvers carry no
 * build metadata (a pre-release such as `1.0.0-rc.1` is fine). Whether the
 * parts match the engine at hand is the verifier's call, not the parser's.
 */
import { err, gateError, ok, type Result } from '../core/result';
import { parseVersionedName, type VersionedName } from './values';

export interface FoldEngine {
  readonly echo: string;
  readonly elc: string;
  /** The number model, e.g. `q32.32`. */
  readonly num: string;
  readonly rng: VersionedName;
}

const NUM = '(?:0|[1-9][0-9]*)';
const PRE_ID = `(?:${NUM}|[0-9]*[A-Za-z-][0-9A-Za-z-]*)`;
const SEMVER = `${NUM}\\.${NUM}\\.${NUM}(?:-${PRE_ID}(?:\\.${PRE_ID})*)?`;
const ENGINE_RE = new RegExp(`^echo@(${SEMVER})\\+elc@(${SEMVER})\\+num=(q${NUM}\\.${NUM})\\+rng=([^+]*)$`);

const HINT = "write 'echo@<semver>+elc@<semver>+num=q32.32+rng=pcg32@<version>', e.g. 'echo@0.1.0+elc@1.0.0+num=q32.32+rng=pcg32@1'";

export function parseFoldEngine(text: string): Result<FoldEngine> {
  const m = ENGINE_RE.exec(text);
  if (!m) {
    return err(gateError('VALUE_INVALID', `'${clip(text)}' is not a Fold-Engine id: ${whatIsWrong(text)}`, { hint: HINT }));
  }
  const rng = parseVersionedName(m[4] as string);
  if (!rng.ok) return err(gateError('VALUE_INVALID', `'${clip(text)}' is not a Fold-Engine id: its rng part ${rng.error.message}`, { hint: HINT }));
  return ok({ echo: m[1] as string, elc: m[2] as string, num: m[3] as string, rng: rng.value });
}

export function formatFoldEngine(e: FoldEngine): string {
  return `echo@${e.echo}+elc@${e.elc}+num=${e.num}+rng=${e.rng.name}@${e.rng.version}`;
}

/** Names the first part that is off, so the message says more than "malformed". */
function whatIsWrong(text: string): string {
  const parts = text.split('+');
  const want = ['echo@', 'elc@', 'num=', 'rng='];
  if (parts.length !== 4) return `expected 4 parts joined by '+', found ${parts.length}`;
  for (let i = 0; i < 4; i++) {
    const part = parts[i] as string;
    const prefix = want[i] as string;
    if (!part.startsWith(prefix)) return `part ${i + 1} must start with '${prefix}', found '${clip(part)}'`;
  }
  const [echo, elc, num] = parts as [string, string, string, string];
  const semver = new RegExp(`^${SEMVER}$`);
  if (!semver.test(echo.slice(5))) return `'${clip(echo.slice(5))}' after 'echo@' is not a semver`;
  if (!semver.test(elc.slice(4))) return `'${clip(elc.slice(4))}' after 'elc@' is not a semver`;
  if (!new RegExp(`^q${NUM}\\.${NUM}$`).test(num.slice(4))) return `'${clip(num.slice(4))}' after 'num=' is not a number model like 'q32.32'`;
  return 'malformed';
}

function clip(s: string): string {
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}
