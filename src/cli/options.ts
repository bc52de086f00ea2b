/** Checks of option values yargs cannot express, failing as a user's mistake (exit 2) with a hint. */
import { CliError } from './errors';

/**
 * A count given on the command line (`--limit 20`): a whole number of at
 * least `min`, written in decimal digits. The option is declared as a string
 * so that what was typed (`abc`, `-1`, `2.5`, nothing) is refused here, named
 * in the message, instead of turning into NaN.
 */
export function countOption(flag: string, typed: string | undefined, min = 1): number | undefined {
  if (typed === undefined) return undefined;
  const n = /^[0-9]{1,15}$/.test(typed) ? Number(typed) : NaN;
  if (!(n >= min)) {
    throw new CliError('USAGE', `--${flag} ${typed === '' ? 'needs a value' : `'${typed}' is not a whole number of ${min} or more`}`, `write e.g. --${flag} 20`);
  }
  return n;
}
