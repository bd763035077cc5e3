// Compile a ModelIR + Dataset into the numeric structures the likelihood loops read.
//
// Every parameter the model can touch is a *slot*: one cell of nu, B, Lambda, alpha, Gamma, Psi,
// Theta, thresholds, nominal logits or class logits for one class. A slot holds a value and the
// free parameter it comes from (`slotPar`, 0-based; -1 = fixed). Rows that share a `par` (class-
// invariant parameters, equality labels) map to several slots, so the gradient with respect to a
// free parameter is the sum of the slot gradients (this is how equality constraints work).
// Structural zeros use slot index -1 in the per-class index arrays.
//
// Model per class k (single level; the two-level engine adds the eta terms described in the
// report / issue 6 on top of exactly these structures):
//   continuous y:  mu_k(x) = nu_k + B_k x + Lambda_k (alpha_k + Gamma_k x),
//                  Sigma_k = Lambda_k Psi_k Lambda_k' + Theta_k
//   ordinal u_r:   P(u <= s-1 | k, x) = F(tau_{r,s,k} - beta_{r,k}'x)      (Mplus sign convention)
//   nominal u_r:   P(u = c | k, x) proportional to exp(a_{r,c,k} + b_{r,c,k}'x), last category 0
//   class:         P(C = k | x) proportional to exp(a_k + g_k'x), last class 0

import type { ModelIR, ParamRow } from '../model/ir.js';
import { classPatterns } from '../model/ir.js';
import type { Dataset } from '../data/dataset.js';
import { PlusmixError } from '../syntax/diagnostics.js';

export interface ItemInfo {
  name: string;
  column: number;
  nCat: number;
  /** first slot-index position of this item in tau / nomA (per class: nCat-1 entries) */
  offset: number;
}

export interface CompiledModel {
  n: number;
  /**
   * Number of classes. With a within-level class variable c (Kw classes) and a between-level class
   * variable cb (Kb classes) the engine's "classes" are the Kw * Kb class patterns, in Mplus order
   * (CLASSES order, last class variable fastest); wOf / bOf give each pattern's within and between
   * class. A person of cluster j in between class m can only be in the patterns with bOf = m.
   */
  K: number;
  Kw: number;
  Kb: number;
  wOf: Int32Array;
  bOf: Int32Array;
  /** printed label per pattern: '1', '2' (one class variable) or '1.2' (two) */
  classLabels: string[];
  /** name of the within-level class variable ('' without one) */
  classVariable: string;
  /** name of the between-level class variable ('' without one) */
  betweenClassVariable: string;
  /**
   * A second within-level class variable c2 (latent transition models, `c2 ON c1`): K2 classes,
   * w2Of gives each pattern's c2 class. Its logits are normalized within the patterns that share the
   * other class variables: P(c1 = a, c2 = b) = P(c1 = a) P(c2 = b | c1 = a).
   */
  K2: number;
  w2Of: Int32Array;
  classVariable2: string;
  /** distance between the indices of patterns that differ only in their c2 class */
  stride2: number;
  /** every class variable in CLASSES order with each pattern's class of it */
  classVars: Array<{ name: string; level: 'within' | 'between'; n: number; of: Int32Array }>;
  contNames: string[];
  covNames: string[];
  factorNames: string[];
  P: number;
  X: number;
  F: number;
  cat: ItemInfo[];
  nom: ItemInfo[];
  /** total threshold / nominal-logit positions per class */
  nTau: number;
  nNomA: number;
  /** data: y (n x P, NaN missing), x (n x X), categorical codes (n x R, -1 missing), nominal codes (n x Rn) */
  y: Float64Array;
  x: Float64Array;
  u: Int32Array;
  v: Int32Array;
  /** missing-data patterns of the continuous block: pattern of each person and observed masks */
  patternOf: Int32Array;
  patterns: Uint8Array[];
  /** slots */
  nSlots: number;
  slotPar: Int32Array;
  slotValue: Float64Array;
  slotRow: Int32Array;
  slotKind: string[];
  /** index arrays (slot or -1), per class */
  nu: Int32Array; // K*P
  B: Int32Array; // K*P*X
  lam: Int32Array; // K*P*F
  alpha: Int32Array; // K*F
  gam: Int32Array; // K*F*X
  psi: Int32Array; // K*F*F (symmetric, both triangles point to the same slot)
  theta: Int32Array; // K*P*P (symmetric)
  tau: Int32Array; // K*nTau
  catB: Int32Array; // K*R*X
  nomA: Int32Array; // K*nNomA
  nomB: Int32Array; // K*nNomA*X
  clsA: Int32Array; // K
  clsG: Int32Array; // K*X
  /** `c#k ON cb#m`: added to the class logit of pattern (k, m), K */
  clsAB: Int32Array;
  /** logits of the second within class variable per pattern: [c2#b] (K), `c2 ON x` (K*X), `c2#b ON c1#a` (K), `c2#b ON cb#m` (K) */
  cls2A: Int32Array;
  cls2G: Int32Array;
  cls2AW: Int32Array;
  cls2AB: Int32Array;
  /** between-level class logits [cb#m] (Kb) and `cb ON w` (Kb*X, covariates read from the cluster's first person) */
  bA: Int32Array;
  bG: Int32Array;
  nFree: number;
  /** one representative row per free parameter (for labels and start values) */
  parRow: ParamRow[];
  /** known class (KNOWNCLASS) of each person, -1 unknown */
  known: Int32Array | null;
  // ---- between level (two-level models). eta_j ~ N(0, PsiB) are the between-level random effects
  // with non-zero variance (D = dimensions of integration); their class-specific means and their
  // regressions on covariates enter the within structures: for person i of cluster j in class k
  //   mu_ik = c0_k + C1_k x_i + H_k eta_j,   logit_k = a_k + g_k'x_i + G_k eta_j,
  // with c0_k += nuB_k + H_k alphaB_k and C1_k += H_k GammaB_k (see likelihood.prepare).
  D: number;
  etaNames: string[];
  H: Int32Array; // K*P*D
  /** random slopes: the loading of y_p on eta_d is the covariate x_q of the person (q, or -1), K*P*D */
  Hx: Int32Array;
  G: Int32Array; // K*D
  /** covariance matrix of eta per between class (Kb*D*D, symmetric) */
  psiB: Int32Array;
  alphaB: Int32Array; // K*D
  gamB: Int32Array; // K*D*X
  nuB: Int32Array; // K*P
  /** clusters (two-level): persons of cluster j are order[start[j]] .. order[start[j+1]-1] */
  clusters: { J: number; start: Int32Array; order: Int32Array } | null;
}

function err(message: string, code = 'E_ESTIMATE'): PlusmixError {
  return new PlusmixError({ severity: 'error', code, command: 'MODEL', message, location: { kind: 'none' } });
}

/** Build the compiled model. Throws PlusmixError for IR features this engine does not handle yet. */
export function compileModel(ir: ModelIR, ds: Dataset): CompiledModel {
  const cvs = ir.classVariables;
  const within = cvs.filter((c) => c.level === 'within'), between = cvs.filter((c) => c.level === 'between');
  if (within.length > 2) throw err('More than two within-level class variables are not supported yet.', 'E_UNSUPPORTED');
  if (between.length > 1) throw err('More than one between-level class variable is not supported yet.', 'E_UNSUPPORTED');
  if (ir.twoLevel && !ds.cluster) throw err('TYPE = TWOLEVEL needs a CLUSTER variable.');
  if (between.length && !ir.twoLevel) throw err('A between-level class variable needs TYPE = TWOLEVEL MIXTURE.');
  // with two within class variables, the one regressed on the other (`c2 ON c1`) is the second
  let [cv, cv2] = within;
  if (cv && cv2 && ir.rows.some((r) => r.kind === 'classRegression' && r.lhs === cv!.name && r.rhs === cv2!.name)) [cv, cv2] = [cv2, cv];
  if (cv2 && ir.twoLevel) throw err('Two within-level class variables in TWOLEVEL models are not supported yet.', 'E_UNSUPPORTED');
  const cbv = between[0];
  const Kw = cv ? cv.nClasses : 1, Kb = cbv ? cbv.nClasses : 1, K2 = cv2 ? cv2.nClasses : 1;
  const K = Kw * Kb * K2;
  // patterns in CLASSES order (last class variable fastest); wOf / bOf / w2Of are the `of` arrays of the
  // class variables in their roles (all zeros when the role is empty)
  const classLabels: string[] = [];
  const classVars = cvs.map((c) => ({ name: c.name, level: c.level, n: c.nClasses, of: new Int32Array(K) }));
  classPatterns(ir).forEach((pt, k) => {
    classVars.forEach((c) => { c.of[k] = pt[c.name]! - 1; });
    classLabels.push(cvs.map((c) => String(pt[c.name])).join('.') || '1');
  });
  const ofRole = (c: { name: string } | undefined) => classVars.find((v) => v.name === c?.name)?.of ?? new Int32Array(K);
  const wOf = ofRole(cv), bOf = ofRole(cbv), w2Of = ofRole(cv2);
  const classOf = (cls: Record<string, number>): number[] => patternsMatching(classVars, K, cls);
  /** the patterns in which a class variable (its `of` array) takes class c (0-based) */
  const patternsWith = (of: Int32Array, c: number): number[] => Array.from({ length: K }, (_, k) => k).filter((k) => of[k] === c);

  const obs = new Map(ir.observed.map((o) => [o.name, o]));
  const factors = ir.latent.filter((l) => l.kind === 'factor' && l.level === 'within');
  const factorNames = factors.map((f) => f.name);
  const dep = ir.observed.filter((o) => o.role === 'dependent');
  const contNames = dep.filter((o) => o.scale === 'continuous').map((o) => o.name);
  const catVars = dep.filter((o) => o.scale === 'categorical');
  const nomVars = dep.filter((o) => o.scale === 'nominal');
  for (const o of dep)
    if (o.scale === 'count' || o.scale === 'censored') throw err(`${o.display}: ${o.scale} outcomes are not supported yet.`, 'E_UNSUPPORTED');
  const covNames = ir.observed.filter((o) => o.role === 'covariate').map((o) => o.name);
  // random slopes `s | y ON x` (within): the slope mean enters as the coefficient of x, a between
  // regression `s ON w` as the coefficient of the product covariate x*w (a cross-level interaction)
  const slopeOf = new Map(ir.randomSlopes.filter((r) => r.level === 'within').map((r) => [r.name, r]));
  const products: Array<[string, string]> = [];
  for (const r of ir.rows)
    if (r.kind === 'regression' && slopeOf.has(r.lhs)) {
      const nm = `${slopeOf.get(r.lhs)!.predictor}*${r.rhs}`;
      if (!covNames.includes(nm)) { covNames.push(nm); products.push([slopeOf.get(r.lhs)!.predictor, r.rhs]); }
    }
  const P = contNames.length, X = covNames.length, F = factorNames.length;
  const n = ds.nRows;

  const ncatOf = (o: (typeof dep)[number]): number => {
    const c = ds.columns[o.column];
    const k = o.nCategories ?? c?.categories?.length;
    if (!k || k < 2) throw err(`${o.display}: number of categories unknown.`);
    return k;
  };
  let nTau = 0;
  const cat: ItemInfo[] = catVars.map((o) => {
    const it = { name: o.name, column: o.column, nCat: ncatOf(o), offset: nTau };
    nTau += it.nCat - 1;
    return it;
  });
  let nNomA = 0;
  const nom: ItemInfo[] = nomVars.map((o) => {
    const it = { name: o.name, column: o.column, nCat: ncatOf(o), offset: nNomA };
    nNomA += it.nCat - 1;
    return it;
  });
  const R = cat.length;

  // ---- data
  const col = (name: string) => {
    const o = obs.get(name)!;
    const c = ds.columns[o.column];
    if (!c) throw err(`Variable ${o.display} has no data column.`);
    return c.values;
  };
  const y = new Float64Array(n * P);
  contNames.forEach((nm, p) => { const v = col(nm); for (let i = 0; i < n; i++) y[i * P + p] = v[i]!; });
  const x = new Float64Array(n * X);
  covNames.forEach((nm, q) => {
    const prod = nm.includes('*') ? products.find(([a, b]) => `${a}*${b}` === nm) : undefined;
    const v = prod ? Float64Array.from(col(prod[0]), (a, i) => a * col(prod[1])[i]!) : col(nm);
    for (let i = 0; i < n; i++) {
      if (Number.isNaN(v[i]!)) throw new PlusmixError({ severity: 'error', code: 'E_MISSING_COVARIATE', message: `Missing value on covariate ${nm}.`, location: { kind: 'data', file: ds.file, row: i + 1, variable: nm } });
      x[i * X + q] = v[i]!;
    }
  });
  const codes = (items: ItemInfo[]) => {
    const out = new Int32Array(n * items.length);
    items.forEach((it, r) => {
      const v = ds.columns[it.column]!.values;
      for (let i = 0; i < n; i++) {
        const c = v[i]!;
        if (Number.isNaN(c)) out[i * items.length + r] = -1;
        else {
          if (c < 0 || c >= it.nCat || c !== Math.floor(c)) throw new PlusmixError({ severity: 'error', code: 'E_CATEGORY', message: `${it.name}: value ${c} is not a category code 0..${it.nCat - 1}.`, location: { kind: 'data', file: ds.file, row: i + 1, variable: it.name } });
          out[i * items.length + r] = c;
        }
      }
    });
    return out;
  };
  const u = codes(cat);
  const v = codes(nom);

  // missing-data patterns of the continuous block
  const patKey = new Map<string, number>();
  const patList: Uint8Array[] = [];
  const patternOf = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let key = '';
    for (let p = 0; p < P; p++) key += Number.isNaN(y[i * P + p]!) ? '0' : '1';
    let id = patKey.get(key);
    if (id === undefined) {
      id = patList.length;
      patKey.set(key, id);
      patList.push(Uint8Array.from(key, (ch) => (ch === '1' ? 1 : 0)));
    }
    patternOf[i] = id;
  }

  // ---- between-level random effects (dimensions of integration)
  const betweenRows = ir.rows.filter((r) => r.level === 'between');
  const nonZeroVar = (name: string) => betweenRows.some((r) => (r.kind === 'variance' || r.kind === 'residualVariance') && r.lhs === name && (r.par > 0 || r.value !== 0));
  const etaNames: string[] = [];
  if (ir.twoLevel) {
    for (const l of ir.latent) {
      if (l.level !== 'between') continue;
      if (l.kind === 'factor') etaNames.push(l.name);
      else if ((l.kind === 'randomIntercept' || l.kind === 'classIntercept') && nonZeroVar(l.name)) etaNames.push(l.name);
      else if (l.kind === 'randomSlope' && slopeOf.has(l.name)) { if (nonZeroVar(l.name)) etaNames.push(l.name); }
      else if (l.kind === 'randomSlope' || l.kind === 'growth') throw err(`Between-level ${l.kind} ${l.display} is not supported by the integration engine yet.`, 'E_UNSUPPORTED');
    }
  }
  const D = etaNames.length;
  const etaIdx = new Map(etaNames.map((nm, d) => [nm, d]));
  /** within class (0-based) whose logit a latent name like C#2 is, -1 otherwise */
  const classLogitOf = (name: string): number => {
    const mm = /^(.*)#(\d+)$/.exec(name);
    if (mm && cv2 && mm[1] === cv2.name) throw err(`${name}: random intercepts of the logits of ${cv2.display} (regressed on ${cv!.display}) are not supported yet.`, 'E_UNSUPPORTED');
    return mm && cv && mm[1] === cv.name ? Number(mm[2]) - 1 : -1;
  };

  // ---- slots
  const slotPar: number[] = [], slotValue: number[] = [], slotRow: number[] = [], slotKind: string[] = [];
  const newSlot = (row: ParamRow, kind: string): number => {
    slotPar.push(row.par > 0 ? row.par - 1 : -1);
    slotValue.push(row.value);
    slotRow.push(row.id);
    slotKind.push(kind);
    return slotPar.length - 1;
  };
  const fill = (len: number) => new Int32Array(len).fill(-1);
  const nu = fill(K * P), B = fill(K * P * X), lam = fill(K * P * F), alpha = fill(K * F), gam = fill(K * F * X);
  const psi = fill(K * F * F), theta = fill(K * P * P), tau = fill(K * nTau), catB = fill(K * R * X);
  const nomA = fill(K * nNomA), nomB = fill(K * nNomA * X), clsA = fill(K), clsG = fill(K * X);
  const clsAB = fill(K), bA = fill(Kb), bG = fill(Kb * X);
  const cls2A = fill(K), cls2G = fill(K * X), cls2AW = fill(K), cls2AB = fill(K);
  const H = fill(K * P * D), G = fill(K * D), psiB = fill(Kb * D * D), alphaB = fill(K * D), gamB = fill(K * D * X), nuB = fill(K * P);
  const constSlot = (v: number): number => { slotPar.push(-1); slotValue.push(v); slotRow.push(-1); slotKind.push('const'); return slotPar.length - 1; };
  const contIdx = new Map(contNames.map((nm, i) => [nm, i]));
  function contIdx0(nm: string): number { return contIdx.get(nm) ?? -1; }
  const covIdx = new Map(covNames.map((nm, i) => [nm, i]));
  const facIdx = new Map(factorNames.map((nm, i) => [nm, i]));
  const catIdx = new Map(cat.map((it, i) => [it.name, i]));
  // a random slope loads x_i on its dependent variable (person-specific loading, no parameter)
  const Hx = fill(K * P * D);
  for (const [nm, d] of etaIdx) {
    const rs = slopeOf.get(nm);
    if (!rs) continue;
    const p = contIdx0(rs.dependent), q = covIdx.get(rs.predictor);
    if (p < 0 || q === undefined) throw err(`Random slope ${nm}: ${rs.dependent} must be a continuous outcome and ${rs.predictor} a covariate.`, 'E_UNSUPPORTED');
    for (let k = 0; k < K; k++) Hx[(k * P + p) * D + d] = q;
  }
  // a random intercept loads 1 on its own variable / class logit
  for (const [nm, d] of etaIdx) {
    const p = contIdx0(nm), kc = classLogitOf(nm);
    if (p >= 0) for (let k = 0; k < K; k++) H[(k * P + p) * D + d] = constSlot(1);
    if (kc >= 0) for (const k of patternsWith(wOf, kc)) G[k * D + d] = constSlot(1);
  }
  const nomItem = (lhs: string): { r: number; c: number } | null => {
    const m = /^(.*)#(\d+)$/.exec(lhs);
    if (!m) return null;
    const r = nom.findIndex((it) => it.name === m[1]);
    const c = Number(m[2]);
    if (r < 0 || c < 1 || c >= nom[r]!.nCat) return null;
    return { r, c: c - 1 };
  };
  const unsupported = (row: ParamRow) => err(`Parameter ${row.kind} ${row.lhs}${row.rhs ? ' ' + row.rhs : ''} is not supported by the estimator yet.`, 'E_UNSUPPORTED');

  /** Between-level rows: random-effect covariance, between loadings / means / regressions, intercepts. */
  const compileBetweenRow = (row: ParamRow, k: number, set: (arr: Int32Array, idx: number, kind: string, idx2?: number) => void) => {
    const dL = etaIdx.get(row.lhs), p = contIdx0(row.lhs);
    switch (row.kind) {
      case 'mean':
      case 'intercept':
        if (p >= 0) return set(nuB, k * P + p, 'nuB');
        if (slopeOf.has(row.lhs)) { const rs = slopeOf.get(row.lhs)!; return set(B, (k * P + contIdx0(rs.dependent)) * X + covIdx.get(rs.predictor)!, 'B'); }
        if (dL !== undefined) return set(alphaB, k * D + dL, 'alphaB');
        if (classLogitOf(row.lhs) >= 0 || covIdx.has(row.lhs)) { if (row.par > 0) throw unsupported(row); return; }
        throw unsupported(row);
      case 'variance':
      case 'residualVariance':
      case 'covariance': {
        const rhs = row.kind === 'covariance' ? row.rhs : row.lhs;
        const dR = etaIdx.get(rhs);
        if (dL !== undefined && dR !== undefined) {
          // the distribution of eta may differ across between classes only
          const pos = bOf[k]! * D * D + dL * D + dR, prev = psiB[pos]!;
          if (prev >= 0) {
            if (slotPar[prev] !== (row.par > 0 ? row.par - 1 : -1) || (row.par === 0 && slotValue[prev] !== row.value))
              throw err(`Between-level (co)variance of ${row.lhs}${row.kind === 'covariance' ? ' WITH ' + row.rhs : ''} cannot differ across the classes of a within-level class variable.`, 'E_UNSUPPORTED');
            return;
          }
          return set(psiB, pos, 'psiB', bOf[k]! * D * D + dR * D + dL);
        }
        // zero variance of a non-random intercept / class logit, or covariate (co)variances
        if (row.par === 0 && row.value === 0) return;
        if (covIdx.has(row.lhs) && row.par === 0) return;
        throw unsupported(row);
      }
      case 'loading': {
        const f = etaIdx.get(row.lhs);
        if (f === undefined) throw unsupported(row);
        const pi = contIdx0(row.rhs), kc = classLogitOf(row.rhs);
        if (pi >= 0) return set(H, (k * P + pi) * D + f, 'H');
        if (kc >= 0) { if (wOf[k] === kc) return set(G, k * D + f, 'G'); return; }
        throw unsupported(row);
      }
      case 'regression': {
        if (slopeOf.has(row.lhs)) {
          const rs = slopeOf.get(row.lhs)!;
          return set(B, (k * P + contIdx0(rs.dependent)) * X + covIdx.get(`${rs.predictor}*${row.rhs}`)!, 'B');
        }
        const q = covIdx.get(row.rhs);
        if (q === undefined) throw unsupported(row);
        if (p >= 0) return set(B, (k * P + p) * X + q, 'B');
        const kc = classLogitOf(row.lhs);
        if (kc >= 0) { if (wOf[k] === kc) return set(clsG, k * X + q, 'classG'); return; }
        if (dL !== undefined) return set(gamB, (k * D + dL) * X + q, 'gammaB');
        throw unsupported(row);
      }
      default:
        throw unsupported(row);
    }
  };

  for (const row of ir.rows) {
    const ks = classOf(row.classes);
    for (const k of ks) {
      const set = (arr: Int32Array, idx: number, kind: string, idx2 = -1) => {
        const s = newSlot(row, kind);
        arr[idx] = s;
        if (idx2 >= 0) arr[idx2] = s;
      };
      if (row.level === 'between' && row.kind !== 'classIntercept' && row.kind !== 'classRegression') {
        compileBetweenRow(row, k, set);
        continue;
      }
      const lhsC = contIdx.get(row.lhs), lhsF = facIdx.get(row.lhs);
      switch (row.kind) {
        case 'mean':
        case 'intercept': {
          if (lhsC !== undefined) set(nu, k * P + lhsC, 'nu');
          else if (lhsF !== undefined) set(alpha, k * F + lhsF, 'alpha');
          else if (nomItem(row.lhs)) { const { r, c } = nomItem(row.lhs)!; set(nomA, k * nNomA + nom[r]!.offset + c, 'nomA'); }
          else if (covIdx.has(row.lhs)) { if (row.par > 0) throw unsupported(row); }
          else throw unsupported(row);
          break;
        }
        case 'variance':
        case 'residualVariance':
        case 'covariance': {
          const rhs = row.kind === 'covariance' ? row.rhs : row.lhs;
          const a = contIdx.get(row.lhs), b = contIdx.get(rhs), fa = facIdx.get(row.lhs), fb = facIdx.get(rhs);
          if (a !== undefined && b !== undefined) set(theta, k * P * P + a * P + b, 'theta', k * P * P + b * P + a);
          else if (fa !== undefined && fb !== undefined) set(psi, k * F * F + fa * F + fb, 'psi', k * F * F + fb * F + fa);
          else if (covIdx.has(row.lhs) || catIdx.has(row.lhs)) { if (row.par > 0) throw unsupported(row); }
          else throw unsupported(row);
          break;
        }
        case 'loading': {
          const f = facIdx.get(row.lhs), p = contIdx.get(row.rhs);
          if (f === undefined || p === undefined) throw unsupported(row);
          set(lam, k * P * F + p * F + f, 'lambda');
          break;
        }
        case 'regression': {
          const q = covIdx.get(row.rhs);
          if (q === undefined) throw unsupported(row);
          if (lhsC !== undefined) set(B, k * P * X + lhsC * X + q, 'B');
          else if (lhsF !== undefined) set(gam, k * F * X + lhsF * X + q, 'gamma');
          else if (catIdx.has(row.lhs)) set(catB, k * R * X + catIdx.get(row.lhs)! * X + q, 'catB');
          else if (nomItem(row.lhs)) { const { r, c } = nomItem(row.lhs)!; set(nomB, (k * nNomA + nom[r]!.offset + c) * X + q, 'nomB'); }
          else throw unsupported(row);
          break;
        }
        case 'threshold': {
          const r = catIdx.get(row.lhs);
          if (r === undefined || !row.index || row.index >= cat[r]!.nCat) throw unsupported(row);
          set(tau, k * nTau + cat[r]!.offset + row.index - 1, 'tau');
          break;
        }
        case 'classIntercept': {
          // class logits are not class-specific: one row per logit; within-level logits go to every
          // pattern with that within class (same row, so one parameter)
          if (k !== ks[0]) break;
          if (cbv && row.lhs === cbv.name) {
            if (!row.index || row.index > Kb) throw unsupported(row);
            if (row.index === Kb && row.par > 0) throw err('The logit of the last class is fixed at 0.');
            bA[row.index - 1] = newSlot(row, 'bA');
            break;
          }
          if (cv2 && row.lhs === cv2.name) {
            if (!row.index || row.index > K2) throw unsupported(row);
            if (row.index === K2 && row.par > 0) throw err('The logit of the last class is fixed at 0.');
            for (const kk of patternsWith(w2Of, row.index - 1)) cls2A[kk] = newSlot(row, 'class2A');
            break;
          }
          if (!cv || row.lhs !== cv.name || !row.index || row.index > Kw) throw unsupported(row);
          if (row.index === Kw && row.par > 0) throw err('The logit of the last class is fixed at 0.');
          for (const kk of patternsWith(wOf, row.index - 1)) clsA[kk] = newSlot(row, 'classA');
          break;
        }
        case 'classRegression': {
          if (k !== ks[0]) break;
          if (cbv && row.lhs === cbv.name) {
            const q = covIdx.get(row.rhs);
            if (!row.index || row.index >= Kb || q === undefined) throw unsupported(row);
            bG[(row.index - 1) * X + q] = newSlot(row, 'bG');
            break;
          }
          if (cv2 && row.lhs === cv2.name) {
            if (!row.index || row.index >= K2) throw unsupported(row);
            const own = patternsWith(w2Of, row.index - 1);
            if (cv && row.rhs === cv.name) {
              // `c2#b ON c1#a`: the logit of c2 class b differs when c1 = a
              if (!row.rhsIndex || row.rhsIndex > Kw) throw unsupported(row);
              for (const kk of own) if (wOf[kk] === row.rhsIndex - 1) cls2AW[kk] = newSlot(row, 'class2AW');
            } else if (cbv && row.rhs === cbv.name) {
              if (!row.rhsIndex || row.rhsIndex > Kb) throw unsupported(row);
              for (const kk of own) if (bOf[kk] === row.rhsIndex - 1) cls2AB[kk] = newSlot(row, 'class2AB');
            } else {
              const q = covIdx.get(row.rhs);
              if (q === undefined) throw unsupported(row);
              for (const kk of own) cls2G[kk * X + q] = newSlot(row, 'class2G');
            }
            break;
          }
          if (!cv || row.lhs !== cv.name || !row.index) throw unsupported(row);
          if (cbv && row.rhs === cbv.name) {
            // `c#k ON cb#m`: the logit of within class k differs in between class m
            if (!row.rhsIndex || row.rhsIndex > Kb) throw unsupported(row);
            for (const kk of patternsWith(wOf, row.index - 1)) if (bOf[kk] === row.rhsIndex - 1) clsAB[kk] = newSlot(row, 'classAB');
            break;
          }
          const q = covIdx.get(row.rhs);
          if (q === undefined) throw unsupported(row);
          for (const kk of patternsWith(wOf, row.index - 1)) clsG[kk * X + q] = newSlot(row, 'classG');
          break;
        }
        case 'constraintNew':
          break;
        default:
          throw unsupported(row);
      }
    }
  }
  // every categorical item needs its thresholds, every nominal item its intercepts
  for (let k = 0; k < K; k++) {
    for (const it of cat) for (let s = 0; s < it.nCat - 1; s++) if (tau[k * nTau + it.offset + s]! < 0) throw err(`Threshold ${it.name}$${s + 1} missing from the parameter table.`);
    for (const it of nom) for (let c = 0; c < it.nCat - 1; c++) if (nomA[k * nNomA + it.offset + c]! < 0) throw err(`Intercept ${it.name}#${c + 1} missing from the parameter table.`);
  }
  const parRow: ParamRow[] = [];
  for (const row of ir.rows) if (row.par > 0 && !parRow[row.par - 1]) parRow[row.par - 1] = row;
  const nFree = parRow.length;
  for (let j = 0; j < nFree; j++) if (!parRow[j]) throw err(`Free parameter ${j + 1} has no row in the parameter table.`);

  let known: Int32Array | null = null;
  if (cv?.known) {
    const kc = ds.knownClass?.find((k2) => k2.classVariable === cv.name);
    if (!kc) throw err(`KNOWNCLASS ${cv.name}: the data set carries no known classes.`);
    known = kc.of;
  }
  return {
    n, K, Kw, Kb, wOf, bOf, classLabels, classVariable: cv?.name ?? '', betweenClassVariable: cbv?.name ?? '',
    K2, w2Of, classVariable2: cv2?.name ?? '', classVars, stride2: strideOf(classVars, cv2?.name), cls2A, cls2G, cls2AW, cls2AB,
    contNames, covNames, factorNames, P, X, F, cat, nom, nTau, nNomA, y, x, u, v, patternOf, patterns: patList,
    nSlots: slotPar.length, slotPar: Int32Array.from(slotPar), slotValue: Float64Array.from(slotValue),
    slotRow: Int32Array.from(slotRow), slotKind,
    nu, B, lam, alpha, gam, psi, theta, tau, catB, nomA, nomB, clsA, clsG, clsAB, bA, bG, nFree, parRow, known,
    D, etaNames, H, Hx, G, psiB, alphaB, gamB, nuB,
    clusters: ir.twoLevel && ds.cluster ? { J: ds.cluster.start.length - 1, start: ds.cluster.start, order: ds.cluster.order } : null,
  };
}

/** The class patterns (0-based indices) consistent with a row's class pattern (classes it does not name are free). */
export function patternsMatching(classVars: CompiledModel['classVars'], K: number, cls: Record<string, number>): number[] {
  const out: number[] = [];
  for (let k = 0; k < K; k++) if (classVars.every((c) => cls[c.name] === undefined || cls[c.name]! - 1 === c.of[k])) out.push(k);
  return out;
}

/** Distance between the indices of class patterns that differ by one class of the named variable (last varies fastest). */
function strideOf(vars: Array<{ name: string; n: number }>, name: string | undefined): number {
  let s = 1;
  for (let v = vars.length - 1; v >= 0; v--) { if (vars[v]!.name === name) return s; s *= vars[v]!.n; }
  return 1;
}

/** Copy the free-parameter vector into the slot values. */
export function setTheta(m: CompiledModel, theta: Float64Array): void {
  const sp = m.slotPar, sv = m.slotValue;
  for (let s = 0; s < m.nSlots; s++) { const j = sp[s]!; if (j >= 0) sv[s] = theta[j]!; }
}

/** Free-parameter vector from the current slot values. */
export function getTheta(m: CompiledModel): Float64Array {
  const th = new Float64Array(m.nFree);
  for (let s = 0; s < m.nSlots; s++) { const j = m.slotPar[s]!; if (j >= 0) th[j] = m.slotValue[s]!; }
  return th;
}

/** Sum slot gradients into the free-parameter gradient (equality constraints = shared par). */
export function slotToPar(m: CompiledModel, dSlot: Float64Array, out: Float64Array): void {
  out.fill(0);
  for (let s = 0; s < m.nSlots; s++) { const j = m.slotPar[s]!; if (j >= 0) out[j] += dSlot[s]!; }
}
