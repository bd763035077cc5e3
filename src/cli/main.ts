// The plusmix command line (commander). Each subcommand lives in its own module.
import { Command } from 'commander';

export const VERSION = '0.1.0';

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
