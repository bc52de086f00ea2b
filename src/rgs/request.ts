/**
 * Checks a request (from JSON or the gate) against the declared context, so
 * a typo in a fixture or in the gate's mapping is reported instead of
 * quietly turning every rule that reads the field into a deny.
 * The evaluator does not need this: it guards every read on its own.
 */
import { CONTEXT, CONTEXT_NAMES } from './schema';
import { didYouMean } from '../core/suggest';
import { typeName, type RgsType } from './types';
import { describeValue, hasOwn, isObject, isStringSet } from './values';

export interface RequestProblem {
  /** The attribute path, e.g. 'actor.kind'. */
  readonly path: string;
  readonly message: string;
  readonly hint?: string;
}

export function checkRequest(value: unknown): RequestProblem[] {
  const problems: RequestProblem[] = [];
  if (!isObject(value)) return [{ path: '', message: `a request is a JSON object, found ${describeValue(value)}` }];
  for (const key of Object.keys(value).sort()) {
    const decl = hasOwn(CONTEXT, key) ? CONTEXT[key] : undefined;
    if (!decl) {
      problems.push({ path: key, message: `unknown attribute '${key}'`, hint: didYouMean(key, CONTEXT_NAMES, `the request has: ${CONTEXT_NAMES.join(', ')}`) });
      continue;
    }
    checkValue(decl.type, value[key], key, problems);
  }
  return problems;
}

function checkValue(t: RgsType, v: unknown, path: string, out: RequestProblem[]): void {
  const fail = (expected: string) => out.push({ path, message: `${path} is ${describeValue(v)}, expected ${expected}` });
  switch (t.kind) {
    case 'bool':
      if (typeof v !== 'boolean') fail('a bool');
      return;
    case 'int':
      if (typeof v !== 'number' || !Number.isSafeInteger(v)) fail('an integer');
      return;
    case 'string':
      if (typeof v !== 'string') fail('a string');
      else if (t.oneOf && !t.oneOf.includes(v)) out.push({ path, message: `${path} is '${v}', expected one of ${t.oneOf.join(', ')}`, hint: didYouMean(v, t.oneOf, '') });
      return;
    case 'set':
      if (!isStringSet(v)) fail('a list of strings');
      return;
    case 'caps':
      if (!isObject(v)) return void fail('an object of capability -> expiry epoch or null');
      for (const k of Object.keys(v).sort()) {
        const e = v[k];
        if (e !== null && (typeof e !== 'number' || !Number.isSafeInteger(e))) out.push({ path: `${path}['${k}']`, message: `caps['${k}'] is ${describeValue(e)}, expected an expiry epoch (integer) or null` });
      }
      return;
    case 'map':
      if (!isObject(v)) return void fail(`an object (${typeName(t)})`);
      for (const k of Object.keys(v).sort()) checkValue(t.value, v[k], `${path}['${k}']`, out);
      return;
    case 'record': {
      if (!isObject(v)) return void fail(`an object (${typeName(t)})`);
      const names = Object.keys(t.fields).sort();
      for (const k of Object.keys(v).sort()) {
        const ft = hasOwn(t.fields, k) ? t.fields[k] : undefined;
        if (!ft) out.push({ path: `${path}.${k}`, message: `${t.name} has no field '${k}'`, hint: didYouMean(k, names, `its fields are: ${names.join(', ')}`) });
        else checkValue(ft, v[k], `${path}.${k}`, out);
      }
    }
  }
}
