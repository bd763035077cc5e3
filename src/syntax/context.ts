// State shared by the CST -> AST visitors of one input file.
import type { IRecognitionException, IToken } from 'chevrotain';
import type { Span } from './ast.js';
import { inputError, inputWarning, type Diagnostic } from './diagnostics.js';
import type { LineIndex } from './cst.js';

/** How grammar token names read in messages. */
const DISPLAY: Record<string, string> = {
  OSemi: "';'", ORParen: "')'", OLParen: "'('",
  MSemi: "';'", MLParen: "'('", MRParen: "')'", MLBracket: "'['", MRBracket: "']'", MLBrace: "'{'", MRBrace: "'}'",
  MPercent: "'%'", MPipe: "'|'", MAtSign: "'@'", MStar: "'*'", MMinus: "'-'", MDot: "'.'", MIdent: 'a name', MNumber: 'a number',
  ESemi: "';'", ETilde: "'~'", ELParen: "'('", ERParen: "')'", EComma: "','", EAssign: "'='", EIdent: 'a name', ENumber: 'a number', EThen: 'THEN',
  EOF: 'the end of the command',
};

export class Ctx {
  readonly diagnostics: Diagnostic[] = [];
  /** offsets of reported syntax errors (to avoid a second message for the same place) */
  readonly syntaxErrorOffsets: number[] = [];
  constructor(
    readonly file: string,
    readonly lines: LineIndex,
    /** input text with comments blanked out */
    readonly masked: string,
  ) {}

  span(start: number, end: number): Span {
    return this.lines.span(start, end);
  }

  tokSpan(t: IToken): Span {
    return this.lines.span(t.startOffset, t.startOffset + t.image.length);
  }

  error(span: Span, code: string, message: string, command?: string): void {
    this.diagnostics.push(inputError(this.file, span, code, message, command));
  }

  warn(span: Span, code: string, message: string, command?: string): void {
    this.diagnostics.push(inputWarning(this.file, span, code, message, command));
  }

  /** Whether a syntax error was reported at an offset in [start, end]. */
  syntaxErrorIn(start: number, end: number): boolean {
    return this.syntaxErrorOffsets.some((o) => o >= start && o <= end);
  }

  /** Report Chevrotain recognition errors in user words. `bodyEnd` locates errors at the end of a command. */
  syntaxErrors(errors: IRecognitionException[], command: string, bodyEnd: number): void {
    for (const e of errors) {
      const t = e.token;
      const atEnd = !t || t.tokenType?.name === 'EOF' || Number.isNaN(t.startOffset);
      const span = atEnd ? this.span(bodyEnd, bodyEnd) : this.tokSpan(t);
      this.syntaxErrorOffsets.push(span.start.offset);
      const found = atEnd ? 'the end of the command' : `'${t.image}'`;
      let message: string;
      const expected = /-->\s*(\w+)\s*<--/.exec(e.message);
      if (e.name === 'MismatchedTokenException' && expected) {
        message = `Expected ${DISPLAY[expected[1]] ?? expected[1]} but found ${found} in ${command} command.`;
      } else if (e.name === 'NotAllInputParsedException') {
        message = `Unexpected ${found} in ${command} command (a missing ';' before it?).`;
      } else {
        message = `Unexpected ${found} in ${command} command.`;
      }
      this.error(span, 'E_SYNTAX', message, command);
    }
  }
}

/**
 * Shift token offsets from a body slice to the full text. `endOffsets`: also set
 * the inclusive end offsets that Chevrotain's CST node locations need (option
 * bodies); the record parsers do not use them, and adding the field to every
 * token costs an allocation each.
 */
export function shiftTokens(tokens: IToken[], base: number, endOffsets = false): IToken[] {
  if (endOffsets) {
    for (const t of tokens) {
      t.startOffset += base;
      t.endOffset = t.startOffset + t.image.length - 1;
    }
  } else if (base !== 0) {
    for (const t of tokens) t.startOffset += base;
  }
  return tokens;
}
