// `plusmix check FILE [--syntax-only]` (placeholder until the grammar lands)
export async function runCheck(file: string, _opts: { syntaxOnly: boolean }): Promise<number> {
  process.stderr.write(`plusmix check: not implemented yet (${file})\n`);
  return 1;
}
