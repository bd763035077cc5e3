// parseInput: text -> AST (src/syntax/ast.ts) + diagnostics. Never throws.
//
// Pipeline: grammar/segment.ts blanks comments and finds command headers;
// each body is tokenized and parsed by the Chevrotain lexer/parser of its kind
// (grammar/); the visitors in this folder turn the CSTs / syntax records into AST nodes and
// report problems with spans. Long MODEL / expression bodies go through these
// steps in pieces (inPieces) to keep memory and garbage collection small. Only `parseOrThrow` throws (a PlusmixError).
import type { IToken, Lexer } from 'chevrotain';
import type { Command, ConstraintStatement, DefineStatement, Expr, InputFile, OptionNode } from './ast.js';
import { PlusmixError, hasErrors, type Diagnostic } from './diagnostics.js';
import { LineIndex } from './cst.js';
import { Ctx, shiftTokens } from './context.js';
import { resolveHeader } from './options.js';
import { visitOptionsBody } from './visit-options.js';
import { visitModelBody, type ModelBody } from './visit-model.js';
import { exprToAst, visitConstraintBody, visitDefineBody } from './visit-expr.js';
import { visitPriorsBody } from './visit-priors.js';
import { segment } from '../../grammar/segment.js';
import { exprLexer, modelLexer, optionLexer } from '../../grammar/tokens.js';
import { exprParser, modelParser, optionParser, priorsParser, parseBody, tryParseBody, type BodyParser, type EBodyRec, type MBodyRec } from '../../grammar/parsers.js';

/** Mplus reads only the first 90 columns of an input line (syntax.md §1.6). */
export const MAX_LINE = 90;

export interface ParseResult {
  ast: InputFile;
  diagnostics: Diagnostic[];
}

export function parseInput(text: string, path: string): ParseResult {
  const lines = new LineIndex(text);
  const seg = segment(text, isHeader);
  const ctx = new Ctx(path, lines, seg.masked);
  const commands: Command[] = [];

  try {
    longLines(ctx, text, lines);
    for (const off of seg.unterminatedBlocks) {
      // decorative rules such as `!**********` are not worth a warning
      if (/^!\*[*!=\-_ \t]*$/.test(lines.lineText(lines.pos(off).line).slice(lines.pos(off).col - 1))) continue;
      ctx.warn(ctx.span(off, off + 2), 'W_BLOCK_COMMENT', "'!*' starts a block comment but no '*!' closes it; it is read as a line comment.");
    }
    const pre = seg.masked.slice(seg.preamble.start, seg.preamble.end);
    if (pre.trim()) {
      const a = pre.search(/\S/);
      const b = seg.preamble.start + pre.trimEnd().length;
      ctx.error(ctx.span(a, Math.min(b, lines.starts[lines.pos(a).line] ?? b)), 'E_NO_COMMAND', 'Text before the first command: every input part must follow a command such as TITLE:, DATA: or VARIABLE:.');
    }

    const seen = new Map<string, number>();
    for (const s of seg.segments) {
      const h = resolveHeader(s.words)!;
      const headerSpan = ctx.span(s.headerStart, s.headerEnd);
      const span = ctx.span(s.headerStart, s.bodyEnd);
      const body = seg.masked.slice(s.bodyStart, s.bodyEnd);
      const written = seg.masked.slice(s.headerStart, s.headerEnd - 1).trim().replace(/\s+/g, ' ');
      if (h.short) ctx.warn(headerSpan, 'W_ABBREVIATION', `'${written}' is shorter than the 4 letters Mplus requires for an abbreviation; write ${h.canonical}.`, h.canonical);
      if (seen.has(h.canonical)) {
        ctx.warn(headerSpan, 'W_DUPLICATE_COMMAND', `${h.canonical} command appears more than once; the parts are read in order.`, h.canonical);
      }
      seen.set(h.canonical, (seen.get(h.canonical) ?? 0) + 1);

      switch (h.kind) {
        case 'title': {
          const t = body
            .split(/\r\n|\r|\n/)
            .map((l) => l.trim())
            .join('\n')
            .trim();
          commands.push({ kind: 'Title', text: t, span });
          break;
        }
        case 'options': {
          const toks = lex(ctx, optionLexer, body, s.bodyStart, h.canonical, true);
          const r = parseBody(optionParser, toks);
          ctx.syntaxErrors(r.errors, h.canonical, s.bodyEnd);
          const options = visitOptionsBody(ctx, r.cst, h.name);
          commands.push({ kind: 'Options', name: h.name, written, headerSpan, options, span });
          break;
        }
        case 'define': {
          const pieces: DefineStatement[] = [];
          if (inPieces(ctx, exprLexer, exprParser, body, s.bodyStart, (recs) => pushAll(pieces, visitDefineBody(ctx, recs)))) {
            commands.push({ kind: 'Define', headerSpan, statements: pieces, span });
            break;
          }
          const toks = lex(ctx, exprLexer, body, s.bodyStart, 'DEFINE');
          const r = parseBody(exprParser, toks);
          ctx.syntaxErrors(r.errors, 'DEFINE', s.bodyEnd);
          commands.push({ kind: 'Define', headerSpan, statements: visitDefineBody(ctx, r.cst), span });
          break;
        }
        case 'model': {
          const indirectMode = h.variant === 'MODEL INDIRECT';
          let m: ModelBody = { statements: [], indirect: [] };
          const visitPiece = (recs: MBodyRec) => {
            const p = visitModelBody(ctx, recs, h.canonical, indirectMode);
            pushAll(m.statements, p.statements);
            pushAll(m.indirect, p.indirect);
          };
          if (!inPieces(ctx, modelLexer, modelParser, body, s.bodyStart, visitPiece)) {
            const toks = lex(ctx, modelLexer, body, s.bodyStart, h.canonical);
            const r = parseBody(modelParser, toks);
            ctx.syntaxErrors(r.errors, h.canonical, s.bodyEnd);
            m = visitModelBody(ctx, r.cst, h.canonical, indirectMode);
          }
          const cmd: Command = { kind: 'Model', variant: h.variant, classLabel: h.classLabel, headerSpan, statements: m.statements, span };
          if (indirectMode) cmd.indirect = m.indirect;
          commands.push(cmd);
          break;
        }
        case 'constraint': {
          if (h.variant === 'MODEL PRIORS') {
            const toks = lex(ctx, exprLexer, body, s.bodyStart, h.canonical);
            const r = parseBody(priorsParser, toks);
            ctx.syntaxErrors(r.errors, h.canonical, s.bodyEnd);
            const priors = visitPriorsBody(ctx, r.cst);
            if (priors.length) ctx.warn(headerSpan, 'W_UNSUPPORTED', 'MODEL PRIORS (Bayesian priors) is read but not used: plusmix estimates by maximum likelihood.', h.canonical);
            commands.push({ kind: 'Constraint', variant: h.variant, headerSpan, statements: [], priors, span });
            break;
          }
          const pieces: ConstraintStatement[] = [];
          if (inPieces(ctx, exprLexer, exprParser, body, s.bodyStart, (recs) => pushAll(pieces, visitConstraintBody(ctx, recs, h.canonical)))) {
            commands.push({ kind: 'Constraint', variant: h.variant, headerSpan, statements: pieces, span });
            break;
          }
          const toks = lex(ctx, exprLexer, body, s.bodyStart, h.canonical);
          const r = parseBody(exprParser, toks);
          ctx.syntaxErrors(r.errors, h.canonical, s.bodyEnd);
          commands.push({ kind: 'Constraint', variant: h.variant, headerSpan, statements: visitConstraintBody(ctx, r.cst, h.canonical), span });
          break;
        }
      }
    }
  } catch (err) {
    // A bug in the parser must not reach the user as a stack trace.
    const msg = err instanceof Error ? err.message : String(err);
    ctx.error(lines.span(0, 0), 'E_INTERNAL', `Internal parser error (please report): ${msg}`);
  }

  const ast: InputFile = { kind: 'InputFile', path, text, commands, span: lines.span(0, text.length) };
  return { ast, diagnostics: ctx.diagnostics };
}

/** parseInput that throws a PlusmixError (carrying every diagnostic) when there are errors. */
export function parseOrThrow(text: string, path: string): InputFile {
  const { ast, diagnostics } = parseInput(text, path);
  if (hasErrors(diagnostics)) throw new PlusmixError(diagnostics);
  return ast;
}

/**
 * Parse an option value as an expression (USEOBSERVATIONS). The value keeps its
 * source offsets, so diagnostics point into the input file.
 */
export function parseOptionExpression(file: InputFile, option: OptionNode): { expr: Expr | null; diagnostics: Diagnostic[] } {
  const lines = new LineIndex(file.text);
  const seg = segment(file.text, isHeader);
  const ctx = new Ctx(file.path, lines, seg.masked);
  const start = option.valueSpan.start.offset;
  const end = option.valueSpan.end.offset;
  const toks = lex(ctx, exprLexer, seg.masked.slice(start, end), start, 'VARIABLE');
  exprParser.input = toks;
  const cst = exprParser.expr();
  ctx.syntaxErrors(exprParser.errors, 'VARIABLE', end);
  const r = exprToAst(ctx, cst);
  return { expr: r, diagnostics: ctx.diagnostics };
}

/**
 * Header recognition (syntax.md §1.2). Inside TITLE, a line such as `Model A: ...`
 * is title text, not a `MODEL A:` class block: published titles do this, and a
 * group/class label block cannot directly follow TITLE in a script that runs.
 */
function isHeader(words: string[], previous: string[] | null): boolean {
  const h = resolveHeader(words);
  if (!h) return false;
  if (previous && h.kind === 'model' && h.variant === 'MODEL' && h.classLabel.length && resolveHeader(previous)?.kind === 'title') return false;
  return true;
}

/** MODEL and expression bodies longer than this are read in pieces (see inPieces). */
const PIECE_CHARS = 4_096;

/**
 * Lex, parse and visit a long MODEL or expression body in pieces that each end
 * at a `;` (a statement boundary in these bodies), so that the tokens and CST
 * of a piece are garbage soon after they are made: on a large input this saves
 * most of the garbage collector's work. Returns false, with no diagnostics
 * left behind, when the body is short or any piece has a lexing or syntax
 * error: the caller then parses the whole body at once with error recovery,
 * so messages never depend on where the pieces were cut.
 */
function inPieces<R extends MBodyRec | EBodyRec>(ctx: Ctx, lexer: Lexer, parser: BodyParser<R>, body: string, base: number, visit: (recs: R) => void): boolean {
  if (body.length <= PIECE_CHARS) return false;
  const mark = ctx.diagnostics.length;
  for (let a = 0; a < body.length; ) {
    const semi = body.indexOf(';', a + PIECE_CHARS);
    const b = semi < 0 ? body.length : semi + 1;
    const r = lexer.tokenize(body.slice(a, b));
    const cst = r.errors.length ? null : tryParseBody(parser, shiftTokens(r.tokens, base + a));
    if (!cst) {
      ctx.diagnostics.length = mark;
      return false;
    }
    visit(cst);
    a = b;
  }
  return true;
}

function pushAll<T>(to: T[], from: T[]): void {
  for (const x of from) to.push(x);
}

/** Tokenize a body (`cst`: for a CST parser, which needs end offsets). */
function lex(ctx: Ctx, lexer: Lexer, body: string, base: number, command: string, cst = false): IToken[] {
  const r = lexer.tokenize(body);
  for (const e of r.errors) {
    const off = base + e.offset;
    ctx.error(ctx.span(off, off + Math.max(1, e.length)), 'E_LEX', `Unexpected character in ${command} command.`, command);
  }
  return shiftTokens(r.tokens, base, cst);
}

function longLines(ctx: Ctx, text: string, lines: LineIndex): void {
  for (let i = 0; i < lines.starts.length; i++) {
    const a = lines.starts[i];
    const b = i + 1 < lines.starts.length ? lines.starts[i + 1] : text.length;
    if (b - a <= MAX_LINE) continue;
    const len = lines.lineText(i + 1).length;
    if (len > MAX_LINE) {
      ctx.warn(ctx.span(a + MAX_LINE, a + len), 'W_LINE_GT_90', `Input line exceeds ${MAX_LINE} characters (${len}); Mplus would ignore the rest of the line.`);
    }
  }
}
