// `plusmix check FILE [--syntax-only]`: parse an input file and print every
// problem as `file:line:col: severity: message`, the offending line and a caret.
// Exit code 0 when there is no error (warnings allowed), 1 otherwise.
import { readFileSync } from 'node:fs';
import { parseInput } from '../syntax/parse.js';
import { validateInput } from '../syntax/validate.js';
import { formatDiagnostic } from '../syntax/format-diagnostic.js';
import { hasErrors, type Diagnostic } from '../syntax/diagnostics.js';

export interface CheckOptions {
  syntaxOnly: boolean;
}

/** Check `text` (read from `file`) and return the diagnostics, sorted by position. */
export function checkText(text: string, file: string, opts: CheckOptions): Diagnostic[] {
  const { ast, diagnostics } = parseInput(text, file);
  const all = [...diagnostics];
  // Name/value checks only make sense on a syntactically clean input.
  if (!opts.syntaxOnly && !hasErrors(diagnostics)) all.push(...validateInput(ast));
  const key = (d: Diagnostic) => (d.location.kind === 'input' ? d.location.span.start.offset : -1);
  return all.sort((a, b) => key(a) - key(b));
}

export async function runCheck(file: string, opts: CheckOptions): Promise<number> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message;
    process.stderr.write(`${file}: error: cannot read the input file (${why})\n`);
    return 1;
  }
  const diags = checkText(text, file, opts);
  for (const d of diags) process.stderr.write(formatDiagnostic(d, text) + '\n');
  const nErr = diags.filter((d) => d.severity === 'error').length;
  const nWarn = diags.filter((d) => d.severity === 'warning').length;
  const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;
  process.stdout.write(`${file}: ${nErr ? plural(nErr, 'error') : 'no errors'}${nWarn ? `, ${plural(nWarn, 'warning')}` : ''}\n`);
  return nErr ? 1 : 0;
}
