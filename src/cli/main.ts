// The plusmix command line (commander). Each subcommand lives in its own module.
import { Command } from 'commander';

export { VERSION } from './version.js';
import { VERSION } from './version.js';

export async function main(argv: string[]): Promise<number> {
  let exitCode = 0;
  const program = new Command();
  program
    .name('plusmix')
    .description('Open-source interpreter for Mplus-style input files')
    .version(VERSION)
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

  program
    .command('check')
    .description('parse an input file and report every problem with file:line:col')
    .argument('<file>', 'Mplus input file (.inp)')
    .option('--syntax-only', 'only check the syntax, not names and option values')
    .action(async (file: string, opts: { syntaxOnly?: boolean }) => {
      const { runCheck } = await import('./check.js');
      exitCode = await runCheck(file, { syntaxOnly: !!opts.syntaxOnly });
    });

  program
    .command('fmt')
    .description('print an input file in canonical layout (upper-case commands, one statement per line, aligned)')
    .argument('<file>', 'Mplus input file (.inp)')
    .action(async (file: string) => {
      const { runFmt } = await import('./fmt.js');
      exitCode = await runFmt(file);
    });

  program
    .command('run')
    .description('run an input file: estimate the model and write the .out next to it')
    .argument('<file>', 'Mplus input file (.inp)')
    .option('-o, --output <file>', 'write the .out here instead of next to the input')
    .option('--json <file>', 'also write the results as JSON (docs/json.md)')
    .option('-q, --quiet', 'no progress or warnings on stderr')
    .option('--no-timestamps', 'no dates or timing block in the .out (byte-identical reruns)')
    .option('--shard <k/n>', 'MONTECARLO: run only the k-th of n slices of the replications (merge them with `plusmix merge`)')
    .option('--processors <n>', 'worker threads (overrides ANALYSIS: PROCESSORS)')
    .option('--starts <n1,n2>', 'random starts: initial-stage sets and final-stage optimizations (overrides ANALYSIS: STARTS)')
    .action(async (file: string, opts: { output?: string; json?: string; quiet?: boolean; timestamps?: boolean; shard?: string; processors?: string; starts?: string }) => {
      const { runCommand } = await import('./run.js');
      const processors = opts.processors !== undefined ? Math.max(1, Math.floor(Number(opts.processors)) || 1) : undefined;
      let starts: [number, number] | undefined;
      if (opts.starts !== undefined) {
        const m = /^\s*(\d+)\s*[, ]\s*(\d+)\s*$/.exec(opts.starts);
        if (!m || Number(m[2]) > Number(m[1])) {
          process.stderr.write(`plusmix: --starts ${opts.starts}: expected two numbers n1,n2 with n2 <= n1, e.g. --starts 20,4\n`);
          exitCode = 1;
          return;
        }
        starts = [Number(m[1]), Number(m[2])];
      }
      exitCode = await runCommand(file, { output: opts.output, json: opts.json, quiet: !!opts.quiet, noTimestamps: opts.timestamps === false, shard: opts.shard, processors, starts });
    });

  program
    .command('merge')
    .description('combine the partial results of `plusmix run --shard k/n` into the output of a single run')
    .argument('<parts...>', 'the .shard-k-of-n.json files')
    .option('-o, --output <file>', 'write the .out here (default: stdout)')
    .action(async (parts: string[], opts: { output?: string }) => {
      const { mergeCommand } = await import('./run.js');
      exitCode = await mergeCommand(parts, opts);
    });

  program
    .command('diff')
    .description('compare two results: plusmix .out/.json, a real Mplus .out, or a CSV of published values')
    .argument('<a>')
    .argument('<b>')
    .option('--tolerance <spec>', 'e.g. est=0.005,se=0.03,ll=0.01')
    .option('--match-classes', 'match latent classes by their estimates (label switching)')
    .option('--no-color', 'plain text')
    .action(async (a: string, b: string, opts: { tolerance?: string; matchClasses?: boolean; color?: boolean }) => {
      const { runDiff } = await import('./diff.js');
      exitCode = await runDiff(a, b, { tolerance: opts.tolerance, matchClasses: !!opts.matchClasses, color: opts.color === false ? false : undefined });
    });

  program
    .command('compare')
    .description('a table of models (log-likelihood, parameters, AIC, BIC, aBIC, entropy), best BIC marked')
    .argument('<files...>', 'plusmix .out/.json or real Mplus .out files')
    .option('--json', 'print the table as JSON')
    .option('--csv', 'print the table as CSV')
    .action(async (files: string[], opts: { json?: boolean; csv?: boolean }) => {
      const { runCompare } = await import('./compare.js');
      exitCode = await runCompare(files, { json: !!opts.json, csv: !!opts.csv });
    });

  try {
    await program.parseAsync(argv);
  } catch (err: unknown) {
    const e = err as { code?: string; exitCode?: number };
    if (e && typeof e.code === 'string' && e.code.startsWith('commander.')) {
      return e.code === 'commander.helpDisplayed' || e.code === 'commander.version' ? 0 : (e.exitCode ?? 1);
    }
    throw err;
  }
  return exitCode;
}
