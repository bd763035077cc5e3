// Helpers shared by the CST -> AST visitors: source positions and ordered
// access to Chevrotain CST children (Chevrotain groups children by name, so
// the source order is recovered from offsets).
import type { CstElement, CstNode, IToken } from 'chevrotain';
import type { Pos, Span } from './ast.js';

/** Maps 0-based offsets to 1-based line/column (CR, LF and CRLF line ends). */
export class LineIndex {
  readonly starts: number[];
  constructor(readonly text: string) {
    const starts = [0];
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 10) starts.push(i + 1);
      else if (c === 13 && text.charCodeAt(i + 1) !== 10) starts.push(i + 1);
    }
    this.starts = starts;
    this.cache = new Array(text.length + 1);
  }

  /** line index of the previous lookup: positions are mostly requested near each other */
  private lastLine = 0;
  /** Pos objects are immutable and shared by offset (many spans start or end at the same place). */
  private readonly cache: Array<Pos | undefined>;

  pos(offset: number): Pos {
    const hit = this.cache[offset];
    if (hit !== undefined) return hit;
    const p = this.compute(offset);
    if (offset >= 0 && offset <= this.text.length) this.cache[offset] = p;
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

export function tokens(node: CstNode, key: string): IToken[] {
  return ((node.children[key] ?? []) as IToken[]).filter((t) => !t.isInsertedInRecovery && !Number.isNaN(t.startOffset));
}

export function nodes(node: CstNode, key: string): CstNode[] {
  return (node.children[key] ?? []) as CstNode[];
}

export function tok(node: CstNode, key: string): IToken | undefined {
  const list = node.children[key] as IToken[] | undefined;
  if (!list) return undefined;
  for (const t of list) if (!t.isInsertedInRecovery && !Number.isNaN(t.startOffset)) return t;
  return undefined;
}

export function sub(node: CstNode, key: string): CstNode | undefined {
  return nodes(node, key)[0];
}
