// Lexical pre-pass: comments and command headers (syntax.md §1.2, §1.5).
//
// Mplus recognises a command by its position (a command word first on a line,
// followed by `:`), not by a context-free token, and the body of each command
// has its own token set (free option values, MODEL statements, DEFINE
// expressions). So lexing runs in two steps:
//  1. this pass blanks comments out (keeping offsets and line breaks) and cuts
//     the text into command segments at header lines;
//  2. each segment body is tokenized by the Chevrotain lexer of its kind
//     (grammar/tokens.ts) and parsed by the matching parser (grammar/parsers.ts).
// The header words are returned as written; canonicalising abbreviations is
// the syntax stage's job (src/syntax/options.ts).

/** A command header found in the text. Offsets are 0-based into the full text. */
export interface Segment {
  /** header words as written: `MODEL`, `POPULATION-c2` / `DATA`, `WIDETOLONG` / `MODEL`, `c1.c2` */
  words: string[];
  /** offset of the first header word */
  headerStart: number;
  /** offset just after the `:` */
  headerEnd: number;
  /** body: [bodyStart, bodyEnd) */
  bodyStart: number;
  bodyEnd: number;
}

export interface SegmentedText {
  /** the text with every comment character replaced by a blank (line breaks kept) */
  masked: string;
  /** text before the first header (should be blank) */
  preamble: { start: number; end: number };
  segments: Segment[];
  /** unterminated `!*` block comments (treated as line comments), offsets of the `!` */
  unterminatedBlocks: number[];
}

/**
 * Header shape: optional blanks, a word of letters, optionally a second word
 * (letters, digits, `_ . - #`) separated by blanks, optional blanks, `:`.
 * Whether the words name a real command is decided by `isCommandWord`.
 */
const HEADER = /[ \t\u00a0\ufeff]*([A-Za-z]+)(?:[ \t\u00a0]+([A-Za-z_][A-Za-z0-9_.#-]*))?[ \t\u00a0]*:/y;

/**
 * Cut `text` into command segments. `isHeader(words, previous)` tells whether a
 * header candidate names a command (it receives the words as written and the
 * words of the command it would end).
 */
export function segment(text: string, isHeader: (words: string[], previous: string[] | null) => boolean): SegmentedText {
  const masked = maskComments(text);
  const segments: Segment[] = [];
  let lineStart = 0;
  const n = masked.text.length;
  while (lineStart <= n) {
    HEADER.lastIndex = lineStart;
    const m = HEADER.exec(masked.text);
    if (m) {
      const words = m[2] !== undefined ? [m[1], m[2]] : [m[1]];
      if (isHeader(words, segments.length ? segments[segments.length - 1].words : null)) {
        const headerStart = lineStart + m[0].length - m[0].replace(/^[ \t\u00a0\ufeff]+/, '').length;
        const headerEnd = lineStart + m[0].length;
        if (segments.length) segments[segments.length - 1].bodyEnd = headerStart;
        segments.push({ words, headerStart, headerEnd, bodyStart: headerEnd, bodyEnd: n });
      }
    }
    const nl = masked.text.indexOf('\n', lineStart);
    if (nl < 0) break;
    lineStart = nl + 1;
  }
  const preambleEnd = segments.length ? segments[0].headerStart : n;
  return { masked: masked.text, preamble: { start: 0, end: preambleEnd }, segments, unterminatedBlocks: masked.unterminated };
}

/**
 * Replace comments by blanks. `!` starts a comment to the end of the line;
 * `!*` starts a block comment that ends at the next `*!`. Decorative lines such
 * as `!*********` are common in real scripts: an unterminated `!*` block is
 * therefore read as a line comment (and reported, so the user can check).
 * A `!` inside a double-quoted string (file names) is not a comment.
 */
export function maskComments(text: string): { text: string; unterminated: number[] } {
  const { comments, unterminated } = findComments(text);
  if (!comments.length) return { text, unterminated };
  const out: string[] = [];
  let last = 0;
  for (const c of comments) {
    out.push(text.slice(last, c.start), blank(text, c.start, c.end));
    last = c.end;
  }
  out.push(text.slice(last));
  return { text: out.join(''), unterminated };
}

/** Comment ranges [start, end) in source order (see maskComments for the rules). */
export function findComments(text: string): { comments: Array<{ start: number; end: number; block: boolean }>; unterminated: number[] } {
  const comments: Array<{ start: number; end: number; block: boolean }> = [];
  const unterminated: number[] = [];
  // Jump from one `!` to the next; a `!` is inside a string when an odd number of `"` precede it on
  // its line (counted from the end of the previous comment when that is on the same line).
  let from = 0; // where the quote count starts: not inside a string there
  for (let i = text.indexOf('!'); i >= 0; ) {
    const lineStart = text.lastIndexOf('\n', i - 1) + 1;
    if (lineStart > from) from = lineStart;
    let quotes = 0;
    for (let q = from; q < i; q++) if (text.charCodeAt(q) === 34 /* " */) quotes++;
    if (quotes % 2 === 1) {
      i = text.indexOf('!', i + 1);
      continue;
    }
    let end: number;
    let block = false;
    if (text.charCodeAt(i + 1) === 42 /* * */) {
      const close = text.indexOf('*!', i + 2);
      if (close >= 0) {
        end = close + 2;
        block = true;
      } else {
        unterminated.push(i);
        end = lineEnd(text, i);
      }
    } else end = lineEnd(text, i);
    comments.push({ start: i, end, block });
    from = end;
    i = text.indexOf('!', end);
  }
  return { comments, unterminated };
}

function lineEnd(text: string, from: number): number {
  const nl = text.indexOf('\n', from);
  if (nl < 0) return text.length;
  return nl > from && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
}

/** The slice [from, to) with every character but line breaks replaced by a space. */
function blank(text: string, from: number, to: number): string {
  const s = text.slice(from, to);
  return s.replace(/[^\r\n]/g, ' ');
}
