// `plusmix fmt FILE`: print the input in canonical layout on stdout.
// Refuses (exit 1, with the diagnostics) when the input has syntax errors.
import { readFileSync } from 'node:fs';
import { parseInput } from '../syntax/parse.js';
import { formatInput } from '../syntax/fmt.js';
import { formatDiagnostic } from '../syntax/format-diagnostic.js';

export async function runFmt(file: string): Promise<number> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message;
    process.stderr.write(`${file}: error: cannot read the input file (${why})\n`);
    return 1;
  }
  const { ast, diagnostics } = parseInput(text, file);
  const errors = diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) {
    for (const d of errors) process.stderr.write(formatDiagnostic(d, text) + '\n');
    process.stderr.write(`${file}: not formatted (fix the errors first)\n`);
    return 1;
  }
  process.stdout.write(formatInput(ast));
  return 0;
}
