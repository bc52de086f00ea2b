/** The syntax tree of one .rgs expression, with spans in the expression text. */
import type { Span } from './lexer';

export type BinaryOp =
  | 'or' | 'and'
  | '==' | '!=' | '<' | '<=' | '>' | '>='
  | 'in' | 'not in' | 'includes' | 'contains' | 'matches'
  | '+' | '-';

export type Expr =
  | { readonly k: 'int'; readonly value: number; readonly span: Span }
  | { readonly k: 'str'; readonly value: string; readonly span: Span }
  | { readonly k: 'bool'; readonly value: boolean; readonly span: Span }
  | { readonly k: 'list'; readonly items: readonly Expr[]; readonly span: Span }
  | { readonly k: 'ident'; readonly name: string; readonly span: Span }
  | { readonly k: 'member'; readonly object: Expr; readonly name: string; readonly nameSpan: Span; readonly span: Span }
  | { readonly k: 'index'; readonly object: Expr; readonly index: Expr; readonly span: Span }
  | { readonly k: 'call'; readonly name: string; readonly nameSpan: Span; readonly args: readonly Expr[]; readonly span: Span }
  | { readonly k: 'unary'; readonly op: 'not' | 'neg'; readonly operand: Expr; readonly span: Span }
  | { readonly k: 'binary'; readonly op: BinaryOp; readonly left: Expr; readonly right: Expr; readonly opSpan: Span; readonly span: Span };
