// `plusmix check FILE [--syntax-only]`: parse an input file and print every
// problem as `file:line:col: severity: message`, the offending line and a caret.
// Exit code 0 when there is no error (warnings allowed), 1 otherwise.
import { readFileSync } from 'node:fs';
import { parseInput } from '../syntax/parse.js';
import { validateInput } from '../syntax/validate.js';
import { formatDiagnostic } from '../syntax/format-diagnostic.js';
import { hasErrors, PlusmixError, type Diagnostic } from '../syntax/diagnostics.js';
import { dirname, resolve } from 'node:path';
import { loadData } from '../data/index.js';
import { checkModel } from '../model/index.js';

export interface CheckOptions {
  syntaxOnly: boolean;
}

/** Check `text` (read from `file`) and return the diagnostics, sorted by position. */
export function checkText(text: string, file: string, opts: CheckOptions): Diagnostic[] {
  const { ast, diagnostics } = parseInput(text, file);
  const all = [...diagnostics];
  // Name/value checks only make sense on a syntactically clean input.
  if (!opts.syntaxOnly && !hasErrors(diagnostics)) {
    all.push(...validateInput(ast));
    if (!hasErrors(all)) all.push(...modelDiagnostics(ast, file));
  }
  const key = (d: Diagnostic) => (d.location.kind === 'input' ? d.location.span.start.offset : -1);
  return all.sort((a, b) => key(a) - key(b));
}

/**
 * The model checks of src/model (unknown variables, class sections, levels, TYPE = RANDOM, ...) need the
 * analysis variables' order, scales and levels, which the data stage resolves while reading the data.
 * Problems reading the data are reported as they are (the run would stop on them too).
 */
function modelDiagnostics(ast: Parameters<typeof checkModel>[0], file: string): Diagnostic[] {
  if (!ast.commands.some((c) => c.kind === 'Model' && c.variant === 'MODEL')) return [];
  if (ast.commands.some((c) => c.kind === 'Options' && c.name === 'MONTECARLO')) return [];
  try {
    const { dataset, diagnostics } = loadData(ast, dirname(resolve(file)));
    return [...diagnostics, ...checkModel(ast, { columns: dataset.columns })];
  } catch (e) {
    if (!(e instanceof PlusmixError)) throw e;
    // `check` is often run where the data are not (a script from a paper): say so and skip the model checks
    if (e.diagnostics.every((d) => d.code === 'E_DATA_FILE')) {
      return e.diagnostics.map((d) => ({ ...d, severity: 'warning' as const, code: 'W_DATA_NOT_READ', message: `${d.message} The model checks that need the analysis variables were skipped.` }));
    }
    return e.diagnostics;
  }
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
