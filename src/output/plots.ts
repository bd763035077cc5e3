// PLOT: self-contained SVG files (no scripts, no external fonts or links) and one HTML page linking them.
//  - histogram of an outcome by most likely class (the first seed paper's Fig. 1);
//  - estimated class means / intercepts across variables;
//  - scatter plot of two EAP random-effect estimates (Figs. 6 and 8), colored by most likely class.
// Output is deterministic (coordinates rounded to 0.01) so files can be compared byte by byte.

import { join } from 'node:path';
import { column, type Dataset } from '../data/dataset.js';
import type { ModelIR } from '../model/ir.js';
import type { EstimationResult, ParameterEstimate } from '../results/types.js';
import { probabilityScale, type ProbabilityScaleRow } from '../results/probability.js';

const W = 640;
const H = 400;
const M = { left: 60, right: 20, top: 40, bottom: 50 };
const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

const r2 = (x: number) => (Math.round(x * 100) / 100).toString();
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
export const classColor = (k: number) => COLORS[k % COLORS.length];

/** "nice" tick values covering [lo, hi] */
function ticks(lo: number, hi: number, n = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / n;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) out.push(Number(t.toPrecision(12)));
  return out;
}

interface Frame {
  x: (v: number) => number;
  y: (v: number) => number;
  parts: string[];
}

/** svg skeleton with axes, ticks, labels; xTicks may be given as labelled positions */
function frame(title: string, xLabel: string, yLabel: string, xr: [number, number], yr: [number, number], xTickLabels?: Array<[number, string]>): Frame {
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const x = (v: number) => M.left + ((v - xr[0]) / (xr[1] - xr[0] || 1)) * pw;
  const y = (v: number) => M.top + ph - ((v - yr[0]) / (yr[1] - yr[0] || 1)) * ph;
  const parts: string[] = [
    `<rect x="0" y="0" width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="24" text-anchor="middle" font-size="16">${esc(title)}</text>`,
    `<line x1="${M.left}" y1="${M.top + ph}" x2="${M.left + pw}" y2="${M.top + ph}" stroke="black"/>`,
    `<line x1="${M.left}" y1="${M.top}" x2="${M.left}" y2="${M.top + ph}" stroke="black"/>`,
    `<text x="${M.left + pw / 2}" y="${H - 10}" text-anchor="middle" font-size="13">${esc(xLabel)}</text>`,
    `<text x="16" y="${M.top + ph / 2}" text-anchor="middle" font-size="13" transform="rotate(-90 16 ${M.top + ph / 2})">${esc(yLabel)}</text>`,
  ];
  for (const [v, label] of xTickLabels ?? ticks(xr[0], xr[1]).map((t): [number, string] => [t, String(t)])) {
    parts.push(`<line x1="${r2(x(v))}" y1="${M.top + ph}" x2="${r2(x(v))}" y2="${M.top + ph + 5}" stroke="black"/>`);
    parts.push(`<text x="${r2(x(v))}" y="${M.top + ph + 18}" text-anchor="middle" font-size="11">${esc(label)}</text>`);
  }
  for (const t of ticks(yr[0], yr[1])) {
    parts.push(`<line x1="${M.left - 5}" y1="${r2(y(t))}" x2="${M.left}" y2="${r2(y(t))}" stroke="black"/>`);
    parts.push(`<text x="${M.left - 8}" y="${r2(y(t) + 4)}" text-anchor="end" font-size="11">${t}</text>`);
  }
  return { x, y, parts };
}

function legend(labels: string[]): string[] {
  return labels.flatMap((l, k) => [
    `<rect x="${W - M.right - 110}" y="${M.top + 4 + k * 18}" width="12" height="12" fill="${classColor(k)}" fill-opacity="0.6"/>`,
    `<text x="${W - M.right - 92}" y="${M.top + 14 + k * 18}" font-size="12">${esc(l)}</text>`,
  ]);
}

function svg(parts: string[]): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif">\n${parts.join('\n')}\n</svg>\n`;
}

function range(values: ArrayLike<number>): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isFinite(v)) (lo = Math.min(lo, v)), (hi = Math.max(hi, v));
  }
  if (lo === Infinity) return [0, 1];
  return lo === hi ? [lo - 0.5, hi + 0.5] : [lo, hi];
}

/** Histogram of `values` with one semi-transparent series per most likely class (1-based in `modal`). */
export function histogramByClass(variable: string, values: Float64Array, modal: ArrayLike<number>, classLabels: string[], bins = 20): string {
  const [lo, hi] = range(values);
  const width = (hi - lo) / bins;
  const counts = classLabels.map(() => new Array<number>(bins).fill(0));
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    const k = modal[i] - 1;
    if (!Number.isFinite(v) || !(k >= 0 && k < classLabels.length)) continue;
    counts[k][Math.min(bins - 1, Math.floor((v - lo) / width))]++;
  }
  const top = Math.max(1, ...counts.flat());
  const f = frame(`${variable} by most likely class`, variable, 'Count', [lo, hi], [0, top]);
  counts.forEach((cs, k) =>
    cs.forEach((c, b) => {
      if (c === 0) return;
      const x0 = f.x(lo + b * width);
      const x1 = f.x(lo + (b + 1) * width);
      f.parts.push(`<rect x="${r2(x0)}" y="${r2(f.y(c))}" width="${r2(x1 - x0)}" height="${r2(f.y(0) - f.y(c))}" fill="${classColor(k)}" fill-opacity="0.45" stroke="${classColor(k)}"/>`);
    }),
  );
  f.parts.push(...legend(classLabels.map((l) => `Class ${l}`)));
  return svg(f.parts);
}

/**
 * Model-implied class means of `variables` from the printed estimates: the Means / Intercepts of each
 * variable (summed over levels) plus loading x factor mean for every factor measured by it (`F BY`),
 * at each level. Regressions on covariates and among factors are not included (their means would be
 * needed), so for such models these are conditional on zero covariates.
 */
export function impliedClassMeans(params: ParameterEstimate[], variables: string[]): Array<{ classLabel: string; means: number[] }> {
  const classes = [...new Set(params.filter((p) => p.classLabel !== null && !p.categoricalLatent).map((p) => p.classLabel as string))];
  const isMean = (p: ParameterEstimate) => p.block === 'Means' || p.block === 'Intercepts';
  return classes.map((cl) => {
    const own = params.filter((p) => p.classLabel === cl && !p.categoricalLatent);
    return {
      classLabel: cl,
      means: variables.map((v) => {
        const name = v.toUpperCase();
        const base = own.filter((p) => isMean(p) && p.name === name);
        if (!base.length) return NaN;
        let m = base.reduce((a, p) => a + p.estimate, 0);
        for (const l of own.filter((p) => p.block.endsWith(' BY') && p.name === name)) {
          const factor = l.block.slice(0, -3);
          m += l.estimate * (own.find((p) => isMean(p) && p.level === l.level && p.name === factor)?.estimate ?? 0);
        }
        return m;
      }),
    };
  });
}

/**
 * Profile plot of estimated class means across variables; `probability` draws class profiles of
 * category probabilities instead (y axis fixed to [0, 1]).
 */
export function classMeansPlot(variables: string[], series: Array<{ classLabel: string; means: number[] }>, probability?: { category: string }): string {
  const all = series.flatMap((s) => s.means);
  const [lo, hi] = range(all);
  const pad = (hi - lo) * 0.1;
  const f = probability
    ? frame(`Estimated probabilities of category ${probability.category} by class`, 'Variable', 'Estimated probability', [-0.5, variables.length - 0.5], [0, 1], variables.map((v, i): [number, string] => [i, v]))
    : frame('Estimated means by class', 'Variable', 'Estimated mean', [-0.5, variables.length - 0.5], [lo - pad, hi + pad], variables.map((v, i): [number, string] => [i, v]));
  series.forEach((s, k) => {
    const pts = s.means.map((m, i): [number, number] => [i, m]).filter(([, m]) => Number.isFinite(m));
    f.parts.push(`<polyline fill="none" stroke="${classColor(k)}" stroke-width="2" points="${pts.map(([i, m]) => `${r2(f.x(i))},${r2(f.y(m))}`).join(' ')}"/>`);
    for (const [i, m] of pts) f.parts.push(`<circle cx="${r2(f.x(i))}" cy="${r2(f.y(m))}" r="4" fill="${classColor(k)}"/>`);
  });
  f.parts.push(...legend(series.map((s) => `Class ${s.classLabel}`)));
  return svg(f.parts);
}

/** Scatter plot of two random-effect estimates (e.g. EAP per cluster), colored by group (1-based; 0 = none). */
export function scatterPlot(xName: string, yName: string, x: Float64Array, y: Float64Array, group?: ArrayLike<number>, groupLabels?: string[]): string {
  const f = frame(`${yName} against ${xName}`, xName, yName, range(x), range(y));
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i]) || !Number.isFinite(y[i])) continue;
    const k = group ? group[i] - 1 : 0;
    f.parts.push(`<circle cx="${r2(f.x(x[i]))}" cy="${r2(f.y(y[i]))}" r="3" fill="${classColor(Math.max(0, k))}" fill-opacity="0.7"/>`);
  }
  if (groupLabels) f.parts.push(...legend(groupLabels.map((l) => `Class ${l}`)));
  return svg(f.parts);
}

/** HTML page embedding the SVG files by relative link */
export function plotIndexHtml(title: string, plots: Array<{ file: string; caption: string }>): string {
  const items = plots.map((p) => `<figure>\n<img src="${esc(p.file)}" alt="${esc(p.caption)}">\n<figcaption>${esc(p.caption)}</figcaption>\n</figure>`).join('\n');
  return `<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>${esc(title)}</title>\n<style>body{font-family:sans-serif;margin:2em}figure{display:inline-block;margin:1em}</style>\n</head>\n<body>\n<h1>${esc(title)}</h1>\n${items}\n</body>\n</html>\n`;
}

export interface PlotFile {
  name: string;
  caption: string;
  svg: string;
}

/**
 * The files of a plot set: `<base>_<name>.svg` each and the index page `<base>_plots.html`, paths in
 * `dir`. Pure: `plusmix run` writes them (atomically) only when the whole run succeeded.
 */
export function plotFiles(dir: string, base: string, title: string, plots: PlotFile[]): Array<{ path: string; content: string }> {
  // names like 'eap_FB_C#1' would break links ('#' starts a URL fragment): keep file names to [A-Za-z0-9_.-]
  const file = (p: PlotFile) => `${base}_${p.name}.svg`.replace(/[^A-Za-z0-9_.-]/g, '_');
  const files = plots.map((p) => ({ path: join(dir, file(p)), content: p.svg }));
  files.push({ path: join(dir, `${base}_plots.html`), content: plotIndexHtml(title, plots.map((p) => ({ file: file(p), caption: p.caption }))) });
  return files;
}

/** most likely class (1-based) of each row from row-major posterior probabilities; null when not per row */
export function mostLikelyClass(posterior: Float64Array | undefined, nRows: number, nClasses: number): Float64Array | null {
  if (!posterior || nClasses < 1 || posterior.length !== nRows * nClasses) return null;
  const modal = new Float64Array(nRows);
  for (let i = 0; i < nRows; i++) {
    let best = 0;
    for (let k = 1; k < nClasses; k++) if (posterior[i * nClasses + k] > posterior[i * nClasses + best]) best = k;
    modal[i] = best + 1;
  }
  return modal;
}

/**
 * The plots of a finished run (PLOT: TYPE = PLOT1 PLOT2 PLOT3 all ask for the same set here):
 * histograms of each continuous outcome by most likely class and the estimated class means (mixture
 * runs), and scatter plots of pairs of EAP random-effect estimates (when the run computed them).
 */
export function plotSet(ir: ModelIR, ds: Dataset, result: EstimationResult): PlotFile[] {
  const out: PlotFile[] = [];
  const outcomes = ir.observed.filter((o) => o.role === 'dependent' && o.scale === 'continuous').map((o) => o.name);
  const labels = result.classCounts?.labels ?? [];
  const modal = mostLikelyClass(result.posterior, ds.nRows, labels.length);
  if (modal) {
    for (const v of outcomes) {
      const c = column(ds, v);
      if (c) out.push({ name: `hist_${v}`, caption: `Histogram of ${v} by most likely class`, svg: histogramByClass(v, c.values, modal, labels) });
    }
  }
  if (ir.mixture && outcomes.length) {
    const series = impliedClassMeans(result.parameters, outcomes);
    if (series.some((x) => x.means.some(Number.isFinite))) out.push({ name: 'means', caption: 'Estimated class means (model-implied)', svg: classMeansPlot(outcomes, series) });
  }
  // categorical indicators (LCA): class profiles of the probability of the highest category (category 2 of binary items)
  const probs = ir.mixture ? probabilityScale(result).filter((r) => r.classLabel !== null && r.categories.length >= 2) : [];
  if (probs.length) {
    const vars = [...new Set(probs.map((r) => r.variable))];
    const classes = [...new Set(probs.map((r) => r.classLabel as string))];
    const last = (r: ProbabilityScaleRow | undefined) => (r ? r.categories[r.categories.length - 1] : undefined);
    const series = classes.map((cl) => ({ classLabel: cl, means: vars.map((v) => last(probs.find((r) => r.classLabel === cl && r.variable === v))?.estimate ?? NaN) }));
    const category = last(probs[0])!.label;
    out.push({ name: 'probabilities', caption: `Estimated probabilities of category ${category} by class`, svg: classMeansPlot(vars, series, { category }) });
  }
  const fs = result.factorScores;
  if (fs && fs.names.length >= 2) {
    const n = fs.values.length / fs.names.length;
    const col = (j: number) => Float64Array.from({ length: n }, (_, i) => fs.values[i * fs.names.length + j]);
    const group = !fs.perCluster && modal ? modal : undefined;
    for (let a = 0; a < fs.names.length; a++) {
      for (let b = a + 1; b < fs.names.length; b++) {
        const [x, y] = [fs.names[a], fs.names[b]];
        out.push({ name: `eap_${x}_${y}`, caption: `EAP estimates of ${y} against ${x}`, svg: scatterPlot(x, y, col(a), col(b), group, group ? labels : undefined) });
      }
    }
  }
  return out;
}
