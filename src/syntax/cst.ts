// Helpers shared by the visitors: source positions, tokens invented by error
// recovery, and ordered access to Chevrotain CST children (option bodies;
// Chevrotain groups children by name, so the source order is recovered from offsets).
import type { CstElement, CstNode, IToken } from 'chevrotain';
import type { Pos, Span } from './ast.js';

/** Size of LineIndex's Pos cache (a power of 2). */
const CACHE = 4096;

/** Maps 0-based offsets to 1-based line/column (CR, LF and CRLF line ends). */
export class LineIndex {
  readonly starts: number[];
  constructor(readonly text: string) {
    const starts = [0];
    if (text.indexOf('\r') < 0) {
      // LF only (the common case): indexOf is much faster than a loop over characters
      for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
    } else {
      for (let i = 0; i < text.length; i++) {
        const c = text.charCodeAt(i);
        if (c === 10) starts.push(i + 1);
        else if (c === 13 && text.charCodeAt(i + 1) !== 10) starts.push(i + 1);
      }
    }
    this.starts = starts;
  }

  /** line index of the previous lookup: positions are mostly requested near each other */
  private lastLine = 0;
  /**
   * Pos objects are immutable and shared by offset: a token's end is often the next token's start,
   * a statement's start its first item's. Spans are made in source order, so a small direct-mapped
   * cache (offset mod CACHE) finds nearly every repeat without a slot per character of the input.
   */
  private readonly cache: Array<Pos | undefined> = new Array(CACHE);

  pos(offset: number): Pos {
    // Offsets computed from fields that once held NaN arrive as boxed doubles; `| 0` makes them
    // small integers again, so Pos objects keep compact integer fields (a Pos built from a double
    // would switch every Pos to boxed doubles: two extra heap objects each). NaN (no position) -> 0.
    offset |= 0;
    const k = offset & (CACHE - 1);
    const hit = this.cache[k];
    if (hit !== undefined && hit.offset === offset) return hit;
    const p = this.compute(offset);
    this.cache[k] = p;
    return p;
  }

  private compute(offset: number): Pos {
    const s = this.starts;
    const ll = this.lastLine;
    if (s[ll] <= offset && (ll + 1 >= s.length || s[ll + 1] > offset)) return { offset, line: ll + 1, col: offset - s[ll] + 1 };
    let lo = 0;
    let hi = s.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (s[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    this.lastLine = lo;
    return { offset, line: lo + 1, col: offset - s[lo] + 1 };
  }

  span(start: number, end: number): Span {
    return { start: this.pos(start), end: this.pos(Math.max(start, end)) };
  }

  /** Text of a 1-based line, without its line break. */
  lineText(line: number): string {
    const a = this.starts[line - 1] ?? this.text.length;
    let b = line < this.starts.length ? this.starts[line] : this.text.length;
    while (b > a && (this.text[b - 1] === '\n' || this.text[b - 1] === '\r')) b--;
    return this.text.slice(a, b);
  }
}

/** The token unless it was invented by error recovery (then undefined). */
export function real(t: IToken | undefined): IToken | undefined {
  return t === undefined || t.isInsertedInRecovery || Number.isNaN(t.startOffset) ? undefined : t;
}

export function isToken(e: CstElement): e is IToken {
  return (e as IToken).image !== undefined;
}

/** Start offset of a token or node (NaN for nodes/tokens invented by error recovery). */
export function startOf(e: CstElement): number {
  if (isToken(e)) return e.startOffset;
  const loc = e.location;
  return loc ? loc.startOffset : NaN;
}

/** Exclusive end offset. */
export function endOf(e: CstElement): number {
  if (isToken(e)) return e.startOffset + e.image.length;
  const loc = e.location;
  return loc && loc.endOffset !== undefined ? loc.endOffset + 1 : NaN;
}

/** All children of a node in source order (recovered/virtual elements dropped). */
export function ordered(node: CstNode): Array<{ key: string; el: CstElement }> {
  const out: Array<{ key: string; el: CstElement }> = [];
  let keys = 0;
  for (const key in node.children) {
    keys++;
    for (const el of node.children[key]) {
      if (isToken(el)) {
        if (el.isInsertedInRecovery || Number.isNaN(el.startOffset)) continue;
      } else if (el.recoveredNode && Number.isNaN(startOf(el))) continue;
      out.push({ key, el });
    }
  }
  if (keys > 1) out.sort((a, b) => startOf(a.el) - startOf(b.el));
  return out;
}
