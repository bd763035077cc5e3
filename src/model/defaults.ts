// Mplus defaults: the parameters a model has although the user did not write
// them, whether each is free or fixed, and across which class variables it
// varies. Every rule names its source:
//   [E§x]  /work/shared/docs/estimation.md section x (the project's spec)
//   [10.4] ex10.4.out TECH1 (Mplus 8.8, TWOLEVEL MIXTURE factor model)
//   [7.3]  ex7.3.out TECH1 (Mplus 8.8, LCA)
//   [8.6]  Mplus 8.11 UG ex8.6 TECH1 (GMM with a covariate; MplusAutomation test output)
//   [9.31] Mplus 8.7 UG ex9.31 TECH1 (TWOLEVEL RANDOM; MplusAutomation test output)
//   [NELS] the 43-parameter count of model B3 (seed paper Table 2, data/sim/nels_like.README.md)
//   [ours] a choice where Mplus is undocumented (kept deliberately simple; revisit with TECH1 outputs)

import type { ClassPattern, Level } from './ir.js';
import type { Lowered, ObservedInfo, PKey } from './lower.js';
import { keyString } from './lower.js';
import type { ClassDecl } from './settings.js';

export interface DefaultSpec {
  key: PKey;
  /** free/fixed and fixed value per class pattern; null = the parameter does not exist in that pattern */
  at: (p: ClassPattern) => { fixed: boolean; value: number | null } | null;
  /** class variables the parameter differs across by default */
  varyOver: string[];
}

export interface ModelShape {
  twoLevel: boolean;
  mixture: boolean;
  classes: ClassDecl[];
  observed: Array<ObservedInfo & { role: 'dependent' | 'covariate' }>;
  low: Lowered;
}

const FREE = { fixed: false, value: null };
const fixedAt = (v: number) => ({ fixed: true, value: v });

/** Levels a model has: single-level models use 'within' internally (rows get level null). */
export function levelsOf(twoLevel: boolean): Level[] {
  return twoLevel ? ['within', 'between'] : ['within'];
}

/** Dependent observed variables that have a part on level L. */
export function dependentsAt(s: ModelShape, L: Level): Array<ObservedInfo & { role: 'dependent' | 'covariate' }> {
  return s.observed.filter((o) => o.role === 'dependent' && (!s.twoLevel || (L === 'within' ? o.level !== 'between' : o.level !== 'within')));
}

/** Whether a name is endogenous on level L (has an intercept and a residual variance rather than a mean and a variance). */
export function endogenous(s: ModelShape, L: Level, name: string): boolean {
  const u = s.low.usage[L].get(name);
  return !!u && (u.lhsOn || u.indicator || u.randomDep);
}

/** Indicators (observed or latent) of factor F on level L, from BY and growth statements. */
export function indicatorsOf(s: ModelShape, L: Level, F: string): string[] {
  const out: string[] = [];
  for (const m of s.low.mentions.values()) if (m.key.kind === 'loading' && m.key.level === L && m.key.lhs === F) out.push(m.key.rhs);
  return out;
}

export function buildDefaults(s: ModelShape): DefaultSpec[] {
  const out: DefaultSpec[] = [];
  const add = (key: PKey, at: DefaultSpec['at'], varyOver: string[] = []) => out.push({ key, at, varyOver });
  const single = s.classes.length === 1 ? s.classes[0] : null;
  const mentionOf = (k: PKey) => s.low.mentions.get(keyString(k));
  const obsByName = new Map(s.observed.map((o) => [o.name, o]));
  const latentByName = new Map(s.low.latent.map((l) => [l.name, l]));

  /**
   * Factor means in mixtures: free in classes 1..K-1, 0 in the last class [E§3.1]. Fixed at 0 when the
   * factor is measured by class logits (its mean is not identified next to [c#k]) [NELS], on the within
   * level of a two-level model when an indicator also has a between part (the within part has mean 0) [10.4],
   * and with several class variables [ours: require explicit statements].
   */
  const factorMeanVaries = (L: Level, F: string): boolean => {
    const m = mentionOf({ level: L, kind: 'mean', lhs: F, rhs: '' });
    if (m && m.scoped.length) return true;
    if (!s.mixture || !single) return false;
    const lv = latentByName.get(F);
    if (lv?.kind === 'growth') return true;
    if (lv?.kind !== 'factor') return false;
    const inds = indicatorsOf(s, L, F);
    if (inds.some((i) => i.includes('#') && s.classes.some((c) => i.startsWith(c.name + '#')))) return false;
    if (s.twoLevel && L === 'within' && inds.some((i) => obsByName.get(i)?.level === 'both')) return false;
    return true;
  };

  /** Observed indicators of a factor whose mean varies across classes keep class-invariant intercepts [10.4]. */
  const indicatorOfVaryingFactor = (L: Level, y: string): boolean =>
    s.low.latent.some((lv) => (lv.kind === 'factor' || lv.kind === 'growth') && indicatorsOf(s, L, lv.name).includes(y) && factorMeanVaries(L, lv.name));

  /**
   * Means, intercepts and thresholds vary across the classes of a single class variable [E§3.1, 7.3];
   * with several class variables they vary only where a `MODEL c:` section says so [E§3.4, verified 37-parameter run].
   */
  const meanVary = (L: Level, y: string): string[] => (s.mixture && single && !indicatorOfVaryingFactor(L, y) ? [single.name] : []);

  const growthIndicator = (L: Level, y: string): boolean => s.low.latent.some((lv) => lv.kind === 'growth' && indicatorsOf(s, L, lv.name).includes(y));

  const withinGrowthOfBoth = (L: Level, f: string): boolean =>
    s.twoLevel && L === 'within' && indicatorsOf(s, L, f).some((y) => s.observed.find((o) => o.name === y)?.level === 'both');

  /** TWOLEVEL MIXTURE: between residual variances of indicators of between-level factors are fixed at 0 [10.4]. */
  const betweenFactorIndicator = (y: string) => s.low.latent.some((lv) => lv.level === 'between' && lv.kind === 'factor' && indicatorsOf(s, 'between', lv.name).includes(y));

  for (const L of levelsOf(s.twoLevel)) {
    // ---- observed dependent variables
    for (const o of dependentsAt(s, L)) {
      const withinPartOfBoth = s.twoLevel && L === 'within' && o.level === 'both';
      if (o.scale === 'categorical' || o.scale === 'nominal') {
        // thresholds live on the between level for items with a between part [E§3.2], else on the within level
        const tLevel: Level = s.twoLevel && o.level !== 'within' ? 'between' : 'within';
        if (L === tLevel) {
          const n = (o.nCategories ?? 2) - 1;
          for (let k = 1; k <= n; k++) {
            if (o.scale === 'categorical') add({ level: L, kind: 'threshold', lhs: o.name, rhs: '', index: k }, () => FREE, meanVary(L, o.name));
            else add({ level: L, kind: 'mean', lhs: `${o.name}#${k}`, rhs: '' }, () => FREE, meanVary(L, o.name));
          }
        }
        // the between part (random intercept) of a categorical item has a free variance in TWOLEVEL
        // [E§3.2, syntax §7.7]; in TWOLEVEL MIXTURE it is 0 unless mentioned in %BETWEEN% [ours: each such
        // variance is one more dimension of integration; keeps the 1 dimension of the UG ex10.6 shape]
        if (s.twoLevel && L === 'between' && o.level === 'both')
          add({ level: L, kind: 'variance', lhs: o.name, rhs: '' }, () => (s.mixture ? fixedAt(0) : FREE));
        continue;
      }
      // means / intercepts: free; 0 on the within level for variables with a between part [10.4 within NU = 0]
      // and for indicators of growth factors (the growth factor means carry them) [8.6 NU = 0]
      const zeroMean = withinPartOfBoth || growthIndicator(L, o.name);
      add({ level: L, kind: 'mean', lhs: o.name, rhs: '' }, () => (zeroMean ? fixedAt(0) : FREE), zeroMean ? [] : meanVary(L, o.name));
      // (residual) variances: free, equal across classes [E§3.1]; count outcomes have none
      if (o.scale !== 'count') {
        const zero = s.twoLevel && s.mixture && L === 'between' && o.level === 'both' && betweenFactorIndicator(o.name);
        add({ level: L, kind: 'variance', lhs: o.name, rhs: '' }, () => (zero ? fixedAt(0) : FREE));
      }
    }

    // ---- latent variables on this level
    const lat = s.low.latent.filter((lv) => lv.level === L);
    for (const lv of lat) {
      const F = lv.name;
      if (lv.kind === 'factor' || lv.kind === 'growth') {
        const varies = factorMeanVaries(L, F);
        add(
          { level: L, kind: 'mean', lhs: F, rhs: '' },
          (p) => {
            // growth factor means free in every class (intercepts fixed at 0) [8.6]; in two-level growth the
            // within-level growth factors of indicators with a between part have mean 0: the between-level
            // growth factors carry the means [UG ex9.12]
            if (lv.kind === 'growth') return withinGrowthOfBoth(L, F) ? fixedAt(0) : FREE;
            if (varies && single) return p[single.name] === single.nClasses ? fixedAt(0) : FREE;
            return fixedAt(0);
          },
          varies && single ? [single.name] : [],
        );
        add({ level: L, kind: 'variance', lhs: F, rhs: '' }, () => FREE); // factor (residual) variances free [10.4]
        // first loading fixed at 1 unless the user freed it [syntax §7.2]
        const first = s.low.firstIndicator.get(`${L}|${F}`);
        if (first) add({ level: L, kind: 'loading', lhs: F, rhs: first }, () => fixedAt(1));
      } else if (lv.kind === 'randomSlope') {
        // random slope: mean and variance free [E§3.2]; mean class-varying in mixtures [E§3.1]. No default
        // covariance with other random effects [E§3.2, unverified]: the UG chapter 9 inputs seen with their
        // outputs (ex9.2c, ex9.31) write `y WITH s` explicitly.
        add({ level: L, kind: 'mean', lhs: F, rhs: '' }, () => FREE, s.mixture && single ? [single.name] : []);
        add({ level: L, kind: 'variance', lhs: F, rhs: '' }, () => FREE);
      } else if (lv.kind === 'classIntercept') {
        // `c#k` as a between-level variable: free variance when mentioned (`c#1;`, `c#1 WITH ...`) [E§3.3];
        // residual variance 0 when it is the indicator of a factor `f BY c#1 c#2` [E§2(g), NELS]; a regression
        // `c#1 ON w` alone keeps it non-random (variance 0) [ours: UG ex10.1 writes `c#1` to make it random]
        const u = s.low.usage.between.get(F);
        const random = !!u && (u.varMention || (u.withMention && !u.indicator));
        add({ level: L, kind: 'variance', lhs: F, rhs: '' }, () => (random ? FREE : fixedAt(0)));
      }
    }

    // ---- default covariances
    // factors: covariances among exogenous factors and residual covariances among final endogenous factors free,
    // equal across classes [E§3.1, 8.6 growth factors]
    const facs = lat.filter((lv) => lv.kind === 'factor' || lv.kind === 'growth').map((lv) => lv.name);
    const isPredictor = (n: string) => !!s.low.usage[L].get(n)?.rhsOn;
    for (let i = 0; i < facs.length; i++)
      for (let j = 0; j < i; j++) {
        const a = facs[i], b = facs[j];
        const ea = endogenous(s, L, a), eb = endogenous(s, L, b);
        if ((!ea && !eb) || (ea && eb && !isPredictor(a) && !isPredictor(b))) add({ level: L, kind: 'covariance', lhs: a, rhs: b }, () => FREE);
      }
    // observed: outside mixtures, residual covariances among continuous dependent variables that are neither
    // factor indicators nor predictors of other variables are free [ours, following the Mplus rule for final
    // outcomes]; in mixtures covariances within class are 0 [E§3.1]
    if (!s.mixture) {
      const ys = dependentsAt(s, L).filter((o) => o.scale === 'continuous' && !s.low.usage[L].get(o.name)?.indicator && !isPredictor(o.name) && !(s.twoLevel && L === 'between' && betweenFactorIndicator(o.name)));
      for (let i = 0; i < ys.length; i++) for (let j = 0; j < i; j++) add({ level: L, kind: 'covariance', lhs: ys[i].name, rhs: ys[j].name }, () => FREE);
    }
  }

  // ---- class logits [c#k], k < K: free, last class the reference [E§2.1, 7.3 ALPHA(C)]
  for (const cd of s.classes) for (let k = 1; k < cd.nClasses; k++) add({ level: cd.level, kind: 'classIntercept', lhs: cd.name, rhs: '', index: k }, () => FREE);
  return out;
}
