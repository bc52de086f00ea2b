/**
 * The command words of a POSIX sh script, found roughly but enough for the hook stubs' own style: the first word
 * of every simple command, including those inside `$( )`, after leading assignments and redirections. Quoted
 * text, parameter and arithmetic expansions, comments, here-document bodies and case patterns are not commands.
 * Used to hold the stubs' `unset -f` list (src/push/gate-node-env.json) to what they really run.
 */
export interface CommandWord {
  readonly word: string;
  /** 1-based line of the script. */
  readonly line: number;
}

const SEPARATORS = /(;;|&&|\|\||[;|&(){}]|\bthen\b|\bdo\b|\belse\b|\belif\b|\bif\b|\bwhile\b|\buntil\b)/;
const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*=/;
const REDIRECTION = /^([0-9]*[<>]|[<>&])/;

/** One line with quoted text and expansions replaced by `Q` (keeping `$( )` contents); `open` says a `'` stays open. */
function lexLine(line: string): { text: string; openQuote: boolean } {
  let text = '';
  let openQuote = false;
  const stack: ('dq' | 'cmd')[] = [];
  let i = 0;
  while (i < line.length) {
    const c = line[i] as string;
    const inDq = stack[stack.length - 1] === 'dq';
    const mark = inDq ? '' : 'Q';
    if (!inDq && c === "'") {
      const j = line.indexOf("'", i + 1);
      openQuote = j < 0;
      i = j < 0 ? line.length : j + 1;
      text += 'Q';
    } else if (c === '\\') {
      i += 2;
      text += mark;
    } else if (line.startsWith('$((', i)) {
      const j = line.indexOf('))', i);
      i = j < 0 ? line.length : j + 2;
      text += mark;
    } else if (line.startsWith('${', i)) {
      let depth = 0;
      let j = i;
      for (; j < line.length; j++) {
        if (line[j] === '{') depth++;
        else if (line[j] === '}' && --depth === 0) break;
      }
      i = j + 1;
      text += mark;
    } else if (c === '"') {
      if (inDq) stack.pop();
      else stack.push('dq');
      text += inDq ? 'Q' : '';
      i++;
    } else if (line.startsWith('$(', i)) {
      stack.push('cmd');
      text += ' ( ';
      i += 2;
    } else if (c === ')' && stack[stack.length - 1] === 'cmd') {
      stack.pop();
      text += ' ) ';
      i++;
    } else if (c === '#' && !inDq && (i === 0 || /\s/.test(line[i - 1] as string))) {
      break;
    } else {
      text += inDq ? '' : c;
      i++;
    }
  }
  return { text, openQuote };
}

export function commandWords(script: string): CommandWord[] {
  const out: CommandWord[] = [];
  const lines = script.split('\n');
  let hereDoc: string | undefined;
  let inCase = 0;
  let openQuote = false;
  for (let n = 0; n < lines.length; n++) {
    const raw = lines[n] as string;
    if (hereDoc !== undefined) {
      if (raw.trim() === hereDoc) hereDoc = undefined;
      continue;
    }
    let line = raw;
    if (openQuote) {
      const j = raw.indexOf("'");
      if (j < 0) continue;
      // The rest of the word whose quote opened on an earlier line: an argument or an assignment's value.
      line = `x=Q${raw.slice(j + 1)}`;
    }
    if (line.trimStart().startsWith('#')) continue;
    const doc = /<<-?\s*'?([A-Za-z_]+)'?/.exec(line);
    const lexed = lexLine(line);
    openQuote = lexed.openQuote;
    let text = lexed.text;
    if (doc) hereDoc = doc[1];
    // A case arm's pattern (up to its first ')' with no '(' before it) is no command.
    if (inCase > 0 && !/^\s*esac\b/.test(text)) {
      const close = text.indexOf(')');
      const open = text.indexOf('(');
      if (close >= 0 && (open < 0 || open > close)) text = ' '.repeat(close + 1) + text.slice(close + 1);
    }
    if (/(^\s*|[;&|]\s*)case\b/.test(text)) inCase++;
    if (/\besac\b/.test(text)) inCase--;
    text = text.replace(/[0-9]*[<>]&[0-9-]*/g, ' ').replace(/[0-9]*(>>|<>|[<>])\s*\S+/g, ' ');
    const parts = text.split(SEPARATORS);
    for (let k = 0; k < parts.length; k += 2) {
      const words = (parts[k] as string).trim().split(/\s+/).filter((w) => w !== '' && w !== '!');
      const first = words.find((w) => !ASSIGNMENT.test(w) && !REDIRECTION.test(w));
      if (first !== undefined) out.push({ word: first, line: n + 1 });
    }
  }
  return out;
}
