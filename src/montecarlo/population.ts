// MODEL POPULATION lowered to a ModelIR by src/model, unchanged: we hand buildModel a synthetic AST whose
// MODEL is the POPULATION statements and whose class variables are GENCLASSES (readSettings takes CLASSES
// from the MONTECARLO command when there is no VARIABLE command), so every Mplus default and every class
// section rule is the same for the population and the analysis model.

import type { Command, InputFile, ModelCommand, OptionsCommand } from '../syntax/ast.js';
import { PlusmixError } from '../syntax/diagnostics.js';
import type { Diagnostic } from '../syntax/diagnostics.js';
import { buildModel, type ModelVariables } from '../model/index.js';
import type { ModelIR } from '../model/ir.js';
import type { MonteCarloSpec } from './spec.js';

/** The generated variables as model columns (scale from GENERATE, level from WITHIN / BETWEEN). */
export function populationColumns(spec: MonteCarloSpec): ModelVariables['columns'] {
  return spec.names.map((name, i) => {
    const g = spec.generate.get(name);
    return {
      name,
      display: spec.display[i],
      scale: g ? ('categorical' as const) : ('continuous' as const),
      ...(g ? { categories: Array.from({ length: g.thresholds + 1 }, (_, k) => k) } : {}),
      level: !spec.clusterSizes ? ('within' as const) : spec.within.has(name) ? ('within' as const) : spec.between.has(name) ? ('between' as const) : ('both' as const),
    };
  });
}

/**
 * ANALYSIS for the population model: its TYPE follows the data being generated, not the analysis (data from
 * a mixture may be analysed without classes): MIXTURE with GENCLASSES, TWOLEVEL with CSIZES, always RANDOM.
 */
function populationAnalysis(ast: InputFile, spec: MonteCarloSpec): OptionsCommand {
  const mc = ast.commands.find((c): c is OptionsCommand => c.kind === 'Options' && c.name === 'MONTECARLO')!;
  const span = mc.headerSpan;
  const words = ['RANDOM', ...(spec.clusterSizes ? ['TWOLEVEL'] : []), ...(mc.options.some((o) => o.name === 'GENCLASSES') ? ['MIXTURE'] : [])];
  const values = words.map((w) => ({ kind: 'word' as const, text: w, upper: w, span }));
  const type = { kind: 'Option' as const, name: 'TYPE', written: 'TYPE', nameSpan: span, known: true, values, raw: words.join(' '), valueSpan: span, span };
  const analysis = ast.commands.find((c): c is OptionsCommand => c.kind === 'Options' && c.name === 'ANALYSIS');
  return { kind: 'Options', name: 'ANALYSIS', written: 'ANALYSIS', headerSpan: span, options: [...(analysis?.options.filter((o) => o.name !== 'TYPE') ?? []), type], span };
}

export function buildPopulation(ast: InputFile, spec: MonteCarloSpec): { ir: ModelIR; diagnostics: Diagnostic[] } {
  const pop = ast.commands.filter((c): c is ModelCommand => c.kind === 'Model' && c.variant === 'MODEL POPULATION');
  if (!pop.length) throw new PlusmixError([{ severity: 'error', code: 'E_MC_NO_POPULATION', message: 'MONTECARLO needs MODEL POPULATION to generate the data.', location: { kind: 'file', file: ast.path } }]);
  const commands = ast.commands.flatMap((c): Command[] => {
    // MODEL POPULATION-c: (several class variables) becomes MODEL c:, with its class label
    if (c.kind === 'Model') return c.variant === 'MODEL POPULATION' ? [{ ...c, variant: 'MODEL' } satisfies ModelCommand] : [];
    if (c.kind === 'Options' && c.name === 'MONTECARLO') {
      // generation uses GENCLASSES in place of CLASSES
      const gen = c.options.filter((o) => o.name === 'GENCLASSES');
      const options = c.options.filter((o) => o.name !== 'CLASSES' && o.name !== 'GENCLASSES').concat(gen.map((o) => ({ ...o, name: 'CLASSES' })));
      return [{ ...c, options } satisfies OptionsCommand];
    }
    return [];
  });
  commands.push(populationAnalysis(ast, spec));
  return buildModel({ ...ast, commands }, { columns: populationColumns(spec) });
}
