// Writes man/gatos.1 and man/git-gatos.1 from the built CLI's own --help, so
// `man gatos` and `git gatos --help` (git runs `man git-gatos`) show what
// `gatos <command> --help` shows. npm installs them with the package ("man"
// in package.json). Deterministic: no date, only the version.
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/** `gatos <words> --help`, run in this process (the bundle exports main; one Node start instead of one per page). */
async function help(main, words) {
  const chunks = [];
  const write = process.stdout.write;
  process.stdout.write = (chunk) => {
    chunks.push(String(chunk));
    return true;
  };
  let status;
  try {
    status = await main([...words, '--help']);
  } finally {
    process.stdout.write = write;
  }
  if (status !== 0) throw new Error(`gatos ${words.join(' ')} --help exited ${status}`);
  return chunks.join('');
}

/** The subcommand words listed under "Commands:" in a help text (`  gatos policy test <dir>  ...` -> `test`). */
function subcommands(text, words) {
  const start = text.indexOf('\nCommands:\n');
  if (start < 0) return [];
  const prefix = ['gatos', ...words].join(' ') + ' ';
  const out = [];
  for (const line of text.slice(start + '\nCommands:\n'.length).split('\n')) {
    if (line.trim() === '') break;
    const t = line.trim();
    if (!t.startsWith(prefix)) continue;
    const word = t.slice(prefix.length).split(/\s/)[0];
    if (/^[a-z][a-z-]*$/.test(word)) out.push(word);
  }
  return out;
}

/** Text shown as it is: roff escapes for backslashes and control characters at the start of a line. */
function verbatim(text) {
  return text
    .trimEnd()
    .split('\n')
    .map((l) => l.replace(/\\/g, '\\e').replace(/^([.'])/, '\\&$1'))
    .join('\n');
}

function page(name, version, sections) {
  const title = name.toUpperCase();
  const gitNote = name === 'git-gatos' ? '\n.PP\n\\fBgit gatos\\fR \\fIcommand\\fR is the same program as \\fBgatos\\fR \\fIcommand\\fR, run by git as \\fBgit-gatos\\fR.' : '';
  return `.TH ${title} 1 "" "gatos ${version}" "gatos manual"
.SH NAME
${name} \\- server-side Git push-gate and client tools for GATOS
.SH SYNOPSIS
.B ${name === 'git-gatos' ? 'git gatos' : 'gatos'}
\\fIcommand\\fR [\\fIoptions\\fR]
.SH DESCRIPTION
The push-gate's command line: policies and folds (policyc, policy, foldc, fold, lint), the producer side of a clone
(init, key, trust, event, fold checkpoint, epoch new), and the operator side (install, gate check, audit log, epoch compact).
Every command below is shown as \\fBgatos\\fR \\fIcommand\\fR \\fB\\-\\-help\\fR prints it.${gitNote}
.SH COMMANDS
${sections.map(([words, text]) => `.SS ${['gatos', ...words].join(' ')}\n.nf\n${verbatim(text)}\n.fi`).join('\n')}
.SH EXIT STATUS
.TP
.B 0
success
.TP
.B 1
the command ran and the answer is negative: a denial, a verification that failed, a failing policy test
.TP
.B 2
the command line or its input cannot be used
.TP
.B 3
something outside the user's input failed: git, the disk, or a bug in gatos
.SH ENVIRONMENT
.TP
.B GATOS_KEY_DIR
where private keys live (default ~/.config/gatos/keys)
.TP
.B GATOS_ACTOR
the acting actor of client commands, and one of the identities the gate can map
.TP
.B GATOS_NOW
pins the clock (RFC 3339 UTC), for reproducible runs
.TP
.B GATOS_TEMPLATES
another templates folder
.SH SEE ALSO
.BR git (1),
.BR githooks (5);
docs/cli.md, docs/walkthrough.md and docs/operators.md in the gatos-gate sources.
`;
}

export async function writeManPages(cli, outDir, version) {
  const { main } = createRequire(import.meta.url)(path.resolve(cli));
  const sections = [];
  const visit = async (words) => {
    const text = await help(main, words);
    sections.push([words, text]);
    for (const w of subcommands(text, words)) await visit([...words, w]);
  };
  await visit([]);
  mkdirSync(outDir, { recursive: true });
  for (const name of ['gatos', 'git-gatos']) writeFileSync(path.join(outDir, `${name}.1`), page(name, version, sections));
  return sections.length;
}
