/**
 * string.format conversion specifications, checked as Lua 5.4 checks them
 * (lstrlib.c `checkformat`): each conversion allows its own flags, a width
 * and a precision of at most two digits, and `%q` takes no modifiers. The
 * VM raises on a bad specification at run time, as Lua does; the linter
 * refuses one in a literal format string at compile time (`format-spec`).
 */

/** One specification: `%` flags width `.` precision conversion. */
export const FORMAT_SPEC = /%([-+ #0]*)([0-9]*)(?:\.([0-9]*))?([a-zA-Z%])/y;

/** The flags each conversion allows (Lua 5.4), and whether it takes a precision. */
const ALLOWED: Readonly<Record<string, { flags: string; precision: boolean }>> = {
  c: { flags: '-', precision: false },
  d: { flags: '-+0 ', precision: true },
  i: { flags: '-+0 ', precision: true },
  u: { flags: '-0', precision: true },
  o: { flags: '-#0', precision: true },
  x: { flags: '-#0', precision: true },
  X: { flags: '-#0', precision: true },
  s: { flags: '-', precision: true },
};

/** Conversions that need floating point: refused in EchoLua (there is none). */
export const FLOAT_CONVERSIONS = 'aAeEfFgG';

/** Why Lua 5.4 refuses this specification, or undefined when it accepts it. */
export function specError(flags: string, width: string, precision: string | undefined, conv: string): string | undefined {
  const text = `%${flags}${width}${precision === undefined ? '' : `.${precision}`}${conv}`;
  if (conv === '%') return flags === '' && width === '' && precision === undefined ? undefined : `invalid conversion '${text}' to 'format'`;
  if (conv === 'q') return flags === '' && width === '' && precision === undefined ? undefined : "specifier '%q' cannot have modifiers";
  if (FLOAT_CONVERSIONS.includes(conv)) return undefined; // the caller refuses these for their own reason
  const allowed = ALLOWED[conv];
  if (allowed === undefined) return `invalid conversion '${text}' to 'format'`;
  const bad = [...flags].some((f) => !allowed.flags.includes(f)) || width.length > 2 || (precision !== undefined && (!allowed.precision || precision.length > 2));
  return bad ? `invalid conversion specification: '${text}'` : undefined;
}

/** Every refused specification in a format string, with its byte offset (for the linter). */
export function formatStringErrors(fmt: string): { at: number; message: string }[] {
  const out: { at: number; message: string }[] = [];
  let i = 0;
  for (;;) {
    const pct = fmt.indexOf('%', i);
    if (pct < 0) return out;
    FORMAT_SPEC.lastIndex = pct;
    const m = FORMAT_SPEC.exec(fmt);
    if (!m) {
      out.push({ at: pct, message: `invalid conversion '${fmt.slice(pct, pct + 5)}' to 'format'` });
      i = pct + 1;
      continue;
    }
    i = FORMAT_SPEC.lastIndex;
    const e = specError(m[1] as string, m[2] as string, m[3], m[4] as string);
    if (e !== undefined) out.push({ at: pct, message: e });
  }
}
