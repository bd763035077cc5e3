// Data generation from a population ModelIR (syntax.md §9).
//
// Each level is a recursive linear system over its "nodes": observed variables of that level, latent
// variables (factors; between level also random intercepts named like their variable, random slopes and
// the random intercepts `C#k` of within-class logits). Per class pattern we collect intercepts/means (alpha),
// regressions and loadings (edges, evaluated in topological order) and the residual covariance matrix
// (drawn through its Cholesky factor). Order per replication, as Mplus:
//   between classes -> between random effects and covariates -> within covariates -> within classes -> outcomes.
// A both-level variable is the sum of its within part and its between random intercept (whose within-level
// mean is fixed at 0 in two-level models). Categorical outcomes (GENERATE) add a logistic (or normal, `p`)
// residual to the linear predictor and count the thresholds below it (category 0 .. T).

import { PlusmixError } from '../syntax/diagnostics.js';
import type { ModelIR, ParamRow } from '../model/ir.js';
import { classPatterns } from '../model/ir.js';
import type { MonteCarloSpec } from './spec.js';
import { Rng, replicationSeed } from './rng.js';

export interface GeneratedData {
  /** one column per NAMES variable, NAMES order */
  columns: Float64Array[];
  /** 1-based cluster number per row (two-level), else null */
  cluster: Float64Array | null;
  /** generated (true) 1-based class of each row, per class variable (GENCLASSES order) */
  classes: Array<{ name: string; of: Int32Array }>;
}

interface PatternPars {
  alpha: Float64Array;
  /** incoming edges per node: coefficient of `from` (fixed) */
  edges: Array<Array<{ from: number; coef: number }>>;
  /** lower Cholesky factor of the residual covariance, row-major n x n */
  chol: Float64Array;
  /** thresholds per node (categorical observed), else null */
  thresholds: Array<Float64Array | null>;
}

interface LevelSystem {
  nodes: string[];
  index: Map<string, number>;
  order: number[];
  pats: PatternPars[];
  /** residual covariance matrices per pattern (row-major) */
  psi: Float64Array[];
}

const fail = (message: string): never => {
  throw new PlusmixError([{ severity: 'error', code: 'E_MC_GENERATE', message, location: { kind: 'file', file: 'MODEL POPULATION' } }]);
};

function cholesky(a: Float64Array, n: number): Float64Array {
  const l = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    let d = a[j * n + j];
    for (let k = 0; k < j; k++) d -= l[j * n + k] * l[j * n + k];
    if (d <= 1e-12) {
      if (d < -1e-8) fail('A residual covariance matrix of MODEL POPULATION is not positive semidefinite.');
      continue; // degenerate (variance 0): the column stays 0
    }
    const ljj = Math.sqrt(d);
    l[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let s = a[i * n + j];
      for (let k = 0; k < j; k++) s -= l[i * n + k] * l[j * n + k];
      l[i * n + j] = s / ljj;
    }
  }
  return l;
}

function topoOrder(n: number, pats: PatternPars[], nodes: string[]): number[] {
  const deps = Array.from({ length: n }, () => new Set<number>());
  for (const p of pats) for (let v = 0; v < n; v++) for (const e of p.edges[v]) deps[v].add(e.from);
  const order: number[] = [];
  const state = new Int8Array(n);
  const visit = (v: number) => {
    if (state[v] === 2) return;
    if (state[v] === 1) fail(`MODEL POPULATION is not recursive (a loop of regressions through ${nodes[v]}): cannot generate data.`);
    state[v] = 1;
    for (const u of deps[v]) visit(u);
    state[v] = 2;
    order.push(v);
  };
  for (let v = 0; v < n; v++) visit(v);
  return order;
}

/** Compiled generator: `generate(rep)` gives the data of replication `rep` (1-based). */
export class Generator {
  private readonly patterns;
  private readonly W: LevelSystem;
  private readonly B: LevelSystem;
  /** within covariates: node indices, generated first (before the classes); their Cholesky factor */
  private readonly covs: number[];
  private readonly covChol: Float64Array;
  private readonly outs: number[];
  /** random slopes: within dependent node, predictor node, between slope node */
  private readonly slopes: Array<{ dep: number; pred: number; s: number }>;
  /** class variables: logit intercepts, within-covariate and class-on-class regressions */
  private readonly cvs: Array<{
    name: string;
    K: number;
    level: 'within' | 'between';
    intercept: Float64Array;
    onX: Array<{ k: number; node: number; coef: number }>;
    /** logit regressions on between-level variables (between node), e.g. `cb ON w` */
    onXB: Array<{ k: number; node: number; coef: number }>;
    onClass: Array<{ k: number; cv: number; m: number; coef: number }>;
    /** between node of the random logit intercept C#k, per k (-1 when none) */
    random: Int32Array;
  }>;
  private readonly strides: number[];
  /** between covariates of between classes: the between standard normals are drawn before the classes */
  private readonly preB: boolean;
  /** for each NAMES column: within node, between node (random intercept / between variable) */
  private readonly colMap: Array<{ w: number; b: number; cat: { link: 'logit' | 'probit' } | null }>;

  constructor(ir: ModelIR, private readonly spec: MonteCarloSpec) {
    this.patterns = classPatterns(ir);
    const twoLevel = !!spec.clusterSizes;
    if (ir.twoLevel !== twoLevel) fail(twoLevel ? 'CSIZES generates clustered data: use TYPE = TWOLEVEL.' : 'TYPE = TWOLEVEL needs NCSIZES and CSIZES.');
    if (ir.latent.some((l) => l.kind === 'growth')) fail('Generating growth models (`i s | y1@0 ...`) is not supported yet.');
    const levelOf = (r: ParamRow): 'within' | 'between' => r.level ?? 'within';
    const wNodes = [...ir.observed.filter((o) => o.level !== 'between').map((o) => o.name), ...ir.latent.filter((l) => l.level === 'within').map((l) => l.name)];
    const bNodes = [...ir.observed.filter((o) => o.level === 'between').map((o) => o.name), ...ir.latent.filter((l) => l.level === 'between').map((l) => l.name)];
    const catNames = new Set(ir.observed.filter((o) => o.scale === 'categorical').map((o) => o.name));
    for (const o of ir.observed) if (o.scale !== 'continuous' && o.scale !== 'categorical') fail(`${o.name}: only continuous and categorical outcomes can be generated.`);
    const mk = (nodes: string[]): LevelSystem => ({ nodes, index: new Map(nodes.map((n, i) => [n, i])), order: [], pats: [], psi: [] });
    this.W = mk(wNodes);
    this.B = mk(bNodes);
    const classIdx = new Map(ir.classVariables.map((c, i) => [c.name, i]));
    const matches = (r: ParamRow, p: Record<string, number>) => Object.entries(r.classes).every(([k, v]) => p[k] === v);
    const value = (r: ParamRow) => (Number.isNaN(r.value) ? 0 : r.value);

    for (const p of this.patterns) {
      for (const [L, sys] of [['within', this.W], ['between', this.B]] as const) {
        const n = sys.nodes.length;
        const pp: PatternPars = { alpha: new Float64Array(n), edges: Array.from({ length: n }, () => []), chol: new Float64Array(0), thresholds: new Array(n).fill(null) };
        const psi = new Float64Array(n * n);
        const node = (name: string, r: ParamRow): number => {
          const i = sys.index.get(name);
          if (i === undefined) fail(`MODEL POPULATION: ${name} has no ${L}-level part (${r.kind} ${r.lhs} ${r.rhs}).`);
          return i!;
        };
        for (const r of ir.rows) {
          if (!matches(r, p)) continue;
          if (r.kind === 'threshold') {
            if (L !== 'within') continue; // thresholds belong to the observed variable, whatever level Mplus prints them on
            const i = node(r.lhs, r);
            const t = pp.thresholds[i] ?? new Float64Array(ir.observed.find((o) => o.name === r.lhs)?.nCategories ? ir.observed.find((o) => o.name === r.lhs)!.nCategories! - 1 : 1);
            t[r.index! - 1] = value(r);
            pp.thresholds[i] = t;
            continue;
          }
          if (levelOf(r) !== L) continue;
          switch (r.kind) {
            case 'mean':
            case 'intercept':
              pp.alpha[node(r.lhs, r)] = value(r);
              break;
            case 'regression':
              pp.edges[node(r.lhs, r)].push({ from: node(r.rhs, r), coef: value(r) });
              break;
            case 'loading':
              pp.edges[node(r.rhs, r)].push({ from: node(r.lhs, r), coef: value(r) });
              break;
            case 'variance':
            case 'residualVariance': {
              const i = node(r.lhs, r);
              psi[i * n + i] = value(r);
              break;
            }
            case 'covariance': {
              const i = node(r.lhs, r), j = node(r.rhs, r);
              psi[i * n + j] = psi[j * n + i] = value(r);
              break;
            }
            case 'classRegression':
              // between level: the regression of the random logit intercept C#k on a between variable
              // (class logits without a random intercept, `cb ON w` and `c ON cb` are drawn with the classes)
              if (L === 'between' && !classIdx.has(r.rhs) && sys.index.has(`${r.lhs}#${r.index}`)) pp.edges[node(`${r.lhs}#${r.index}`, r)].push({ from: node(r.rhs, r), coef: value(r) });
              break;
            default:
              break;
          }
        }
        pp.chol = cholesky(psi, n);
        sys.pats.push(pp);
        sys.psi.push(psi);
      }
    }
    this.W.order = topoOrder(this.W.nodes.length, this.W.pats, this.W.nodes);
    this.B.order = topoOrder(this.B.nodes.length, this.B.pats, this.B.nodes);
    for (const cat of catNames) {
      const i = this.W.index.get(cat)!;
      for (const pp of this.W.pats) if (!pp.thresholds[i]) fail(`MODEL POPULATION: give the thresholds of the categorical variable ${cat} ([${cat}$1*v]).`);
    }

    this.slopes = ir.randomSlopes.map((s) => {
      if (s.level !== 'within') fail('Only within-level random slopes can be generated.');
      const dep = this.W.index.get(s.dependent), pred = this.W.index.get(s.predictor), sn = this.B.index.get(s.name);
      if (dep === undefined || pred === undefined || sn === undefined) fail(`Random slope ${s.name}: cannot generate ${s.dependent} ON ${s.predictor}.`);
      return { dep: dep!, pred: pred!, s: sn! };
    });

    // class variables: logits from [c#k], c#k ON x (within covariates), c#k ON cb#m and the random intercept C#k
    this.cvs = ir.classVariables.map((cv) => {
      const K = cv.nClasses;
      const intercept = new Float64Array(K);
      const onX: Array<{ k: number; node: number; coef: number }> = [];
      const onXB: Array<{ k: number; node: number; coef: number }> = [];
      const onClass: Array<{ k: number; cv: number; m: number; coef: number }> = [];
      for (const r of ir.rows) {
        if (r.lhs !== cv.name) continue;
        if (r.kind === 'classIntercept') intercept[r.index! - 1] = value(r);
        else if (r.kind === 'classRegression') {
          if (classIdx.has(r.rhs)) onClass.push({ k: r.index!, cv: classIdx.get(r.rhs)!, m: r.rhsIndex!, coef: value(r) });
          else if ((r.level ?? 'within') === 'within' && cv.level === 'within') {
            const node = this.W.index.get(r.rhs);
            if (node === undefined) fail(`${cv.name} ON ${r.rhs}: ${r.rhs} is not a within-level variable.`);
            onX.push({ k: r.index!, node: node!, coef: value(r) });
          } else if (!this.B.index.has(`${cv.name}#${r.index}`)) {
            // a between-level covariate of a class logit without a random intercept (`cb ON w`)
            const node = this.B.index.get(r.rhs);
            if (node === undefined) fail(`${cv.name} ON ${r.rhs}: ${r.rhs} is not a between-level variable.`);
            onXB.push({ k: r.index!, node: node!, coef: value(r) });
          }
        }
      }
      const random = new Int32Array(K).fill(-1);
      for (let k = 1; k < K; k++) random[k - 1] = this.B.index.get(`${cv.name}#${k}`) ?? -1;
      return { name: cv.name, K, level: cv.level, intercept, onX, onXB, onClass, random };
    });
    // between-level covariates of between classes are drawn before the classes, from the same standard
    // normals as the rest of the between level: they must be exogenous with class-invariant parameters
    this.preB = this.cvs.some((c) => c.level === 'between' && c.onXB.length > 0);
    if (this.preB) {
      const nB = this.B.nodes.length;
      for (const c of this.cvs) for (const t of c.onXB) {
        const v = t.node;
        for (const pp of this.B.pats) if (pp.edges[v]!.length) fail(`${c.name} ON ${this.B.nodes[v]}: ${this.B.nodes[v]} must be an exogenous between-level variable.`);
        for (let p = 1; p < this.B.pats.length; p++) {
          let same = this.B.pats[p]!.alpha[v] === this.B.pats[0]!.alpha[v];
          for (let a = 0; a <= v; a++) for (let b = 0; b < nB; b++) if (this.B.psi[p]![a * nB + b] !== this.B.psi[0]![a * nB + b]) same = false;
          if (!same) fail(`${c.name} ON ${this.B.nodes[v]}: the mean and variance of ${this.B.nodes[v]} (and of the between variables listed before it) must not vary across classes.`);
        }
      }
    }
    this.strides = [];
    let stride = 1;
    for (let v = ir.classVariables.length - 1; v >= 0; v--) {
      this.strides[v] = stride;
      stride *= ir.classVariables[v].nClasses;
    }

    // within covariates: exogenous observed predictors with class-invariant parameters, generated before the classes
    const predictors = new Set<number>();
    for (const pp of this.W.pats) for (const es of pp.edges) for (const e of es) predictors.add(e.from);
    for (const c of this.cvs) for (const x of c.onX) predictors.add(x.node);
    for (const s of this.slopes) predictors.add(s.pred);
    const wPsi = this.W.psi;
    const nW = this.W.nodes.length;
    const obsW = new Set(ir.observed.filter((o) => o.level !== 'between').map((o) => this.W.index.get(o.name)!));
    this.covs = [...predictors].filter((i) => obsW.has(i) && !catNames.has(this.W.nodes[i]) && this.W.pats.every((pp) => pp.edges[i].length === 0)).sort((a, b) => a - b);
    for (const i of this.covs)
      for (let p = 1; p < this.W.pats.length; p++)
        if (this.W.pats[p].alpha[i] !== this.W.pats[0].alpha[i] || wPsi[p][i * nW + i] !== wPsi[0][i * nW + i]) fail(`The covariate ${this.W.nodes[i]} has class-specific mean or variance: covariates are generated before the classes.`);
    const isCov = new Set(this.covs);
    for (const i of this.covs) for (let j = 0; j < nW; j++) if (!isCov.has(j) && wPsi.some((ps) => ps[i * nW + j] !== 0)) fail(`${this.W.nodes[i]} WITH ${this.W.nodes[j]}: a covariate cannot covary with an outcome in generation.`);
    const nc = this.covs.length;
    const cpsi = new Float64Array(nc * nc);
    for (let a = 0; a < nc; a++) for (let b = 0; b < nc; b++) cpsi[a * nc + b] = wPsi[0]?.[this.covs[a] * nW + this.covs[b]] ?? 0;
    this.covChol = cholesky(cpsi, nc);
    this.outs = this.W.order.filter((i) => !isCov.has(i));

    this.colMap = spec.names.map((name) => {
      const g = spec.generate.get(name);
      const o = ir.observed.find((x) => x.name === name);
      if (!o) fail(`${name} is in NAMES but not in MODEL POPULATION.`);
      const w = o!.level === 'between' ? -1 : this.W.index.get(name)!;
      const b = this.B.index.get(name) ?? -1;
      return { w, b, cat: g ? { link: g.link } : null };
    });
    for (const [name] of spec.cutpoints) if (!this.covs.includes(this.W.index.get(name) ?? -1) && !this.B.index.has(name)) fail(`CUTPOINTS: ${name} is not a covariate.`);
  }

  generate(rep: number): GeneratedData {
    const spec = this.spec;
    const rng = new Rng(replicationSeed(spec.seed, rep));
    const n = spec.nobs;
    const sizes = spec.clusterSizes ?? [n];
    const J = sizes.length;
    const P = this.patterns.length;
    const nW = this.W.nodes.length, nB = this.B.nodes.length;
    const columns = spec.names.map(() => new Float64Array(n));
    const cluster = spec.clusterSizes ? new Float64Array(n) : null;
    const classes = this.cvs.map((c) => ({ name: c.name, of: new Int32Array(n) }));
    const nCv = this.cvs.length;
    const cls = new Int32Array(nCv); // current 1-based classes
    const etaB = new Float64Array(P * nB); // between values per pattern for the current cluster
    const zB = new Float64Array(nB), zW = new Float64Array(nW);
    const eta = new Float64Array(nW);
    const logits = new Float64Array(16);
    const cutW = new Map<number, number>();
    for (const [name, c] of spec.cutpoints) if (this.W.index.has(name)) cutW.set(this.W.index.get(name)!, c);
    const cutB = new Map<number, number>();
    for (const [name, c] of spec.cutpoints) if (!this.W.index.has(name) && this.B.index.has(name)) cutB.set(this.B.index.get(name)!, c);
    const patternIndex = () => {
      let p = 0;
      for (let v = 0; v < nCv; v++) p += (cls[v] - 1) * this.strides[v];
      return p;
    };
    const drawClass = (v: number, logitOf: (k: number) => number): number => {
      const K = this.cvs[v].K;
      let max = 0;
      for (let k = 0; k < K - 1; k++) {
        logits[k] = logitOf(k + 1);
        if (logits[k] > max) max = logits[k];
      }
      logits[K - 1] = 0;
      let sum = 0;
      for (let k = 0; k < K; k++) sum += logits[k] = Math.exp(logits[k] - max);
      let u = rng.uniform() * sum;
      for (let k = 0; k < K; k++) if ((u -= logits[k]) < 0) return k + 1;
      return K;
    };
    // between-level linear system of one pattern, from shared standard normals zB
    const solveB = (p: number) => {
      const pp = this.B.pats[p];
      const off = p * nB;
      for (const v of this.B.order) {
        let x = pp.alpha[v];
        for (const e of pp.edges[v]) x += e.coef * etaB[off + e.from];
        for (let k = 0; k <= v; k++) x += pp.chol[v * nB + k] * zB[k];
        const c = cutB.get(v);
        etaB[off + v] = c === undefined ? x : x > c ? 1 : 0;
      }
    };

    let row = 0;
    for (let j = 0; j < J; j++) {
      // 1. between classes (with between covariates: their values from pattern 0, which they do not depend on)
      if (this.preB) { for (let k = 0; k < nB; k++) zB[k] = rng.normal(); solveB(0); }
      for (let v = 0; v < nCv; v++) {
        const cv = this.cvs[v];
        if (cv.level !== 'between') continue;
        cls[v] = drawClass(v, (k) => {
          let l = cv.intercept[k - 1];
          for (const t of cv.onXB) if (t.k === k) l += t.coef * etaB[t.node];
          for (const t of cv.onClass) if (t.k === k && cls[t.cv] === t.m) l += t.coef;
          return l;
        });
      }
      // 2. between random effects and covariates, for every within-class pattern of this cluster
      if (!this.preB) for (let k = 0; k < nB; k++) zB[k] = rng.normal();
      if (nB) {
        for (let p = 0; p < P; p++) {
          const pat = this.patterns[p];
          if (this.cvs.some((cv, v) => cv.level === 'between' && pat[cv.name] !== cls[v])) continue;
          solveB(p);
        }
      }
      for (let i = 0; i < sizes[j]; i++, row++) {
        if (cluster) cluster[row] = j + 1;
        // 3. within covariates (pattern-invariant parameters)
        const nc = this.covs.length;
        for (let a = 0; a < nc; a++) zW[a] = rng.normal();
        const p0 = this.W.pats[0];
        for (let a = 0; a < nc; a++) {
          const v = this.covs[a];
          let x = p0.alpha[v];
          for (let b = 0; b <= a; b++) x += this.covChol[a * nc + b] * zW[b];
          const c = cutW.get(v);
          eta[v] = c === undefined ? x : x > c ? 1 : 0;
        }
        // 4. within classes (the between classes of this cluster are known; between random logit intercepts
        //    are pattern-invariant, read from the first pattern consistent with the between classes)
        let pb = 0;
        for (let v = 0; v < nCv; v++) if (this.cvs[v].level === 'between') pb += (cls[v] - 1) * this.strides[v];
        for (let v = 0; v < nCv; v++) {
          const cv = this.cvs[v];
          if (cv.level !== 'within') continue;
          cls[v] = drawClass(v, (k) => {
            let l = cv.intercept[k - 1];
            for (const t of cv.onX) if (t.k === k) l += t.coef * eta[t.node];
            for (const t of cv.onXB) if (t.k === k) l += t.coef * etaB[pb * nB + t.node];
            for (const t of cv.onClass) if (t.k === k && cls[t.cv] === t.m) l += t.coef;
            if (cv.random[k - 1] >= 0) l += etaB[pb * nB + cv.random[k - 1]];
            return l;
          });
        }
        for (let v = 0; v < nCv; v++) classes[v].of[row] = cls[v];
        // 5. outcomes
        const p = patternIndex();
        const pp = this.W.pats[p];
        for (let k = 0; k < nW; k++) zW[k] = rng.normal();
        for (const v of this.outs) {
          let x = pp.alpha[v];
          for (const e of pp.edges[v]) x += e.coef * eta[e.from];
          for (const s of this.slopes) if (s.dep === v) x += etaB[p * nB + s.s] * eta[s.pred];
          for (let k = 0; k <= v; k++) x += pp.chol[v * nW + k] * zW[k];
          eta[v] = x;
        }
        for (let c = 0; c < columns.length; c++) {
          const m = this.colMap[c];
          let x = (m.w >= 0 ? eta[m.w] : 0) + (m.b >= 0 ? etaB[p * nB + m.b] : 0);
          if (m.cat) {
            x += m.cat.link === 'logit' ? rng.logistic() : rng.normal();
            const t = pp.thresholds[m.w]!; // CUTPOINTS apply to covariates, cut when they are generated
            let cat = 0;
            while (cat < t.length && x > t[cat]) cat++;
            x = cat;
          }
          columns[c][row] = x;
        }
      }
    }
    return { columns, cluster, classes };
  }
}
