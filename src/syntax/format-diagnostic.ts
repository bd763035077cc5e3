// How a Diagnostic reads on a terminal (compiler style):
//
//   ex.inp:12:5: error: Unknown option STARTZ in ANALYSIS command; did you mean STARTS?
//             STARTZ = 20 4;
//             ^^^^^^
//
// Data-file problems: `file:row 12 (line 14), column 3 (y2): error: ...`.
import type { Diagnostic } from './diagnostics.js';

/**
 * Format one diagnostic. `text` is the input file text (needed for the quoted
 * line and caret of 'input' locations; omit it for other kinds). No trailing newline.
 */
export function formatDiagnostic(d: Diagnostic, text?: string): string {
  const sev = d.severity;
  const loc = d.location;
  switch (loc.kind) {
    case 'input': {
      const { start, end } = loc.span;
      const head = `${loc.file}:${start.line}:${start.col}: ${sev}: ${d.message}`;
      if (text === undefined) return head;
      const line = lineAt(text, start.offset - (start.col - 1));
      // keep tabs so the caret lines up under the same characters
      const pad = line.slice(0, start.col - 1).replace(/[^\t]/g, ' ');
      const sameLine = end.line === start.line ? end.col - start.col : line.length - (start.col - 1);
      const width = Math.max(1, Math.min(sameLine, Math.max(1, line.length - (start.col - 1))));
      return `${head}\n${line}\n${pad}${'^'.repeat(width)}`;
    }
    case 'data': {
      const parts = [`row ${loc.row}`];
      if (loc.line !== undefined && loc.line !== loc.row) parts[0] += ` (line ${loc.line})`;
      if (loc.column !== undefined) parts.push(`column ${loc.column}${loc.variable ? ` (${loc.variable})` : ''}`);
      else if (loc.variable) parts.push(`variable ${loc.variable}`);
      return `${loc.file}:${parts.join(', ')}: ${sev}: ${d.message}`;
    }
    case 'file':
      return `${loc.file}: ${sev}: ${d.message}`;
    default:
      return `${sev}: ${d.message}`;
  }
}

function lineAt(text: string, lineStart: number): string {
  let end = lineStart;
  while (end < text.length && text[end] !== '\n' && text[end] !== '\r') end++;
  return text.slice(Math.max(0, lineStart), end);
}
