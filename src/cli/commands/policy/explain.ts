/** `gatos policy explain <rgc> <request.json>`: the decision and, rule by rule, what every condition evaluated to. */
import { readFileSync } from 'node:fs';
import type { CommandModule } from 'yargs';
import { checkRequest, explain, loadPolicy, type ExprTrace, type Explanation } from '../../../rgs';
import { CliError, EXIT, setExitCode } from '../../errors';
import { snakeKeys } from '../../json';

interface Args {
  rgc: string;
  request: string;
  json: boolean;
}

export const policyExplainCommand: CommandModule<object, Args> = {
  command: 'explain <rgc> <request>',
  describe: 'Evaluate a request (JSON file) against a compiled policy and show which rules matched and why',
  builder: (y) =>
    y
      .positional('rgc', { type: 'string', demandOption: true, describe: 'compiled policy (.rgc)' })
      .positional('request', { type: 'string', demandOption: true, describe: 'request context as JSON (see docs/rgs.md)' })
      .option('json', { type: 'boolean', default: false, describe: 'print the explanation as JSON' }),
  handler: (args) => {
    const policy = loadPolicy(readBytes(args.rgc));
    if (!policy.ok) throw CliError.from(policy.error);
    const request = readJson(args.request);
    for (const p of checkRequest(request)) process.stderr.write(`warning: ${args.request}: ${p.message}${p.hint ? ` (${p.hint})` : ''}\n`);
    const ex = explain(policy.value, request);
    process.stdout.write(args.json ? `${JSON.stringify(snakeKeys(ex), null, 2)}\n` : renderExplanation(ex));
    if (ex.decision.effect === 'deny') setExitCode(EXIT.NEGATIVE);
  },
};

function readBytes(file: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(file));
  } catch {
    throw new CliError('NOT_FOUND', `${file}: cannot read the compiled policy`, 'compile one with: gatos policyc <src> -o policy.rgc');
  }
}

export function readJson(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new CliError('NOT_FOUND', `${file}: cannot read the request`, 'write the request context as a JSON object');
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new CliError('USAGE', `${file}: not valid JSON: ${e instanceof Error ? e.message : String(e)}`, 'the request is one JSON object, e.g. {"intent": "write", "ref": "refs/heads/main"}');
  }
}

export function renderDecisionLines(d: Explanation['decision']): string[] {
  const out: string[] = [];
  if (d.effect === 'allow') out.push(`decision: ALLOW by ${d.ruleIds.join(', ')}`);
  else out.push(`decision: DENY ${d.ruleId} [${d.code}]`, `  reason: ${d.reason}`, `  denying rules: ${d.allDenyIds.join(', ')}`);
  if (d.audit.length) out.push(`  audit: ${d.audit.join(', ')}`);
  for (const e of d.evaluate) out.push(`  would deny (evaluate mode): ${e.ruleId} [${e.code}]: ${e.reason}`);
  return out;
}

function traceLines(label: string, t: ExprTrace, indent: string): string[] {
  const value = t.error === undefined ? t.value ?? '' : `error: ${t.error}`;
  const lines = [`${indent}${label.padEnd(9)}${value.padEnd(6)} ${t.expr}`];
  for (const p of t.parts ?? []) lines.push(...traceLines('', p, `${indent}  `));
  return lines;
}

export function renderExplanation(ex: Explanation): string {
  const out = [`policy_root = ${ex.policyRoot}`, ...renderDecisionLines(ex.decision), 'rules:'];
  for (const r of ex.rules) {
    out.push(`  ${r.id}${r.mode === 'evaluate' ? ' (evaluate mode)' : ''}: ${r.outcome}`);
    if (r.when) out.push(...traceLines('when', r.when, '    '));
    r.deny.forEach((t) => out.push(...traceLines('deny_if', t, '    ')));
    r.allow.forEach((t) => out.push(...traceLines('allow_if', t, '    ')));
    if (r.reason) out.push(`    => ${r.reason}${r.code ? ` [${r.code}]` : ''}`);
  }
  return `${out.join('\n')}\n`;
}
