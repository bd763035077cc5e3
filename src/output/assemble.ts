// Glue for `plusmix run`: the writer input (OutInput) from the pipeline's objects.

import { basename } from 'node:path';
import type { Dataset } from '../data/dataset.js';
import { summarizeData } from '../data/summary.js';
import type { EstimationOptions, EstimationOptionsInput } from '../estimate/options.js';
import type { ModelIR } from '../model/ir.js';
import { layout } from '../model/layout.js';
import { indicatorOddsRatios, probabilityScale } from '../results/probability.js';
import type { EstimationResult } from '../results/types.js';
import { analysisSummary, dataSummaryOut, generalSpecs, mixtureSpecs, tech1FromLayout } from './build.js';
import type { OutInput, SaveDataInfo, SpecLine } from './types.js';

/** TITLE lines as Mplus prints them after INPUT READING TERMINATED NORMALLY (each line trimmed) */
export function titleLines(inputText: string): string[] {
  const m = /^\s*TITLE\s*:/im.exec(inputText);
  if (!m) return [];
  const rest = inputText.slice(m.index + m[0].length);
  const next = /^\s*(?:DATA|VARIABLE|DEFINE|ANALYSIS|MODEL|OUTPUT|SAVEDATA|PLOT|MONTECARLO)\b[^:\n]*:/im.exec(rest);
  return (next ? rest.slice(0, next.index) : rest)
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((l) => l.trim())
    .filter((l, i, a) => l !== '' || (i > 0 && i < a.length - 1));
}

export interface AssembleInput {
  inputText: string;
  ir: ModelIR;
  ds: Dataset;
  result: EstimationResult;
  estimation: EstimationOptions;
  /** the ANALYSIS options as the user gave them (non-mixture specification lines print Mplus defaults for the rest) */
  estimationInput?: EstimationOptionsInput;
  output: { tech1: boolean; tech8: boolean };
  plusmixVersion: string;
  timestamps: { begin: Date; end: Date } | null;
  auxiliary?: string[];
  savedata?: SaveDataInfo;
}

export function assembleOutInput(x: AssembleInput): OutInput {
  const { ir, ds, result } = x;
  const categorical = ir.observed.some((o) => o.role === 'dependent' && o.scale === 'categorical');
  // Mplus's EM / numerical-integration framework: mixtures, random effects needing integration, ML with
  // categorical outcomes (ex3.5, ex5.13); its quasi-Newton default is then 100 iterations
  const emFramework = ir.mixture || !!result.integration || categorical;
  const specs: SpecLine[] = emFramework
    ? mixtureSpecs(ir.mixture ? x.estimation : { ...x.estimation, qnIterations: x.estimationInput?.qnIterations ?? 100 }, {
        integrationDimensions: result.integration?.dimensions ?? (ir.mixture ? null : 0),
        categorical,
      })
    : generalSpecs(x.estimationInput ?? {}, {
        estimator: result.estimator,
        twoLevel: ir.twoLevel,
        missingData: ds.summary.patterns.length > 1,
        integration: result.integration ?? null,
      });
  const summary = analysisSummary(ir, {
    observations: ds.nRows,
    specs,
    inputFiles: [basename(ds.file)],
    cluster: ds.cluster?.variable,
    auxiliary: x.auxiliary,
  });
  const mixtureCategorical = ir.mixture && categorical;
  return {
    inputText: x.inputText,
    title: titleLines(x.inputText),
    ir,
    summary,
    dataSummary: dataSummaryOut(summarizeData(ds), { mixture: ir.mixture, missingPatterns: ds.summary.patterns.length > 1 }),
    result,
    tech1: x.output.tech1 ? tech1FromLayout(layout(ir), result.start) : undefined,
    probabilityScale: mixtureCategorical ? probabilityScale(result) : undefined,
    oddsRatios: mixtureCategorical ? indicatorOddsRatios(result) : undefined,
    savedata: x.savedata,
    narrowOn: !ir.mixture && !ir.twoLevel && !categorical && !ir.latent.some((l) => l.kind === 'randomSlope'),
    options: { plusmixVersion: x.plusmixVersion, timestamps: x.timestamps, tech1: x.output.tech1, tech8: x.output.tech8 },
  };
}
