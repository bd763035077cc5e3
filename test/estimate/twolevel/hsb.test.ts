// HSB acceptance (issue 5): plusmix's two-level estimator against lme4 ML fits
// (fixtures/peers/hsb_lme4.json, made by bench/peers/hsb_lme4.R).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { estimateTwoLevel } from '../../../src/estimate/twolevel/index.js';
import type { EstimationResult } from '../../../src/results/types.js';
import { centre, fixture, makeDataset, peerTerms, peerValue, readFree, twoLevelIR, type PeerModel, type Roles, type TwoLevelSpec } from './builder.js';
const peers = JSON.parse(readFileSync(fixture('peers/hsb_lme4.json')!, 'utf8')) as { models: Record<string, PeerModel> };

const cols = readFree(fixture('hsb/hsb.dat')!, 'school minority female ses mathach meanses sector size pracad disclim himinty'.split(' '));
cols.SES_C = centre(cols.SES!);
cols.MEANSES_C = centre(cols.MEANSES!);
cols.PRACAD_C = centre(cols.PRACAD!);

function fit(spec: TwoLevelSpec, roles: Roles): EstimationResult {
  return estimateTwoLevel(twoLevelIR(spec, roles), makeDataset('hsb.dat', cols, roles), { estimator: 'ML' });
}

/** lme4 term name -> [level, block, name] of the Mplus parameter */
type Where = [string, string, string];
function lookup(r: EstimationResult, [level, block, name]: Where): { estimate: number; se: number } {
  const p = r.parameters.find((x) => x.level === level && x.block === block && x.name === name);
  if (!p) throw new Error(`no parameter ${level} ${block} ${name}`);
  return p;
}

function compare(r: EstimationResult, peer: PeerModel, map: Record<string, Where>, issueLoglik: number): void {
  assert.ok(r.terminatedNormally);
  assert.ok(Math.abs(r.fit!.loglikelihood - issueLoglik) < 0.01, `loglik ${r.fit!.loglikelihood} vs ${issueLoglik}`);
  assert.ok(Math.abs(r.fit!.loglikelihood - peer.loglik) < 0.01);
  assert.is(r.fit!.parameters, peer.npar);
  assert.equal(Object.keys(map).sort(), peerTerms(peer).sort());
  for (const [term, where] of Object.entries(map)) {
    const want = peerValue(peer, term);
    const got = lookup(r, where);
    // 0.1% of the estimate; absolute floor 1e-3 of its SE for estimates near 0
    assert.ok(Math.abs(got.estimate - want.est) <= Math.max(1e-3 * Math.abs(want.est), 1e-3 * want.se), `${term}: ${got.estimate} vs ${want.est}`);
    assert.ok(Math.abs(got.se - want.se) <= 0.02 * want.se, `${term} SE: ${got.se} vs ${want.se}`);
  }
}

const W = 'within', B = 'between';
const resid: Where = [W, 'Residual Variances', 'MATHACH'];

test('m1: mathach ~ 1 + (1 | school) matches lme4 (-23557.905, 3 parameters)', () => {
  const roles: Roles = { cluster: 'SCHOOL', within: [], between: [], both: ['MATHACH'] };
  compare(fit({ y: 'MATHACH' }, roles), peers.models.m1!, {
    '(Intercept)': [B, 'Intercepts', 'MATHACH'],
    'var((Intercept))': [B, 'Residual Variances', 'MATHACH'],
    residual: resid,
  }, -23557.905);
});

test('m2: random intercept and two random slopes, unstructured T, matches lme4 (-23240.856, 12)', () => {
  const roles: Roles = { cluster: 'SCHOOL', within: ['FEMALE', 'SES'], between: ['MEANSES', 'SECTOR'], both: ['MATHACH'] };
  const spec: TwoLevelSpec = { y: 'MATHACH', slopes: { S1: 'FEMALE', S2: 'SES' }, between: { MATHACH: ['MEANSES', 'SECTOR'] }, covariances: true };
  const r = fit(spec, roles);
  assert.not.ok(r.warnings.some((w) => w.code === 'PSI_NOT_PD')); // lme4: not singular
  compare(r, peers.models.m2!, {
    '(Intercept)': [B, 'Intercepts', 'MATHACH'],
    female: [B, 'Means', 'S1'],
    ses: [B, 'Means', 'S2'],
    meanses: [B, 'MATHACH ON', 'MEANSES'],
    sector: [B, 'MATHACH ON', 'SECTOR'],
    'var((Intercept))': [B, 'Residual Variances', 'MATHACH'],
    'cov((Intercept),female)': [B, 'MATHACH WITH', 'S1'],
    'cov((Intercept),ses)': [B, 'MATHACH WITH', 'S2'],
    'var(female)': [B, 'Variances', 'S1'],
    'cov(female,ses)': [B, 'S1 WITH', 'S2'],
    'var(ses)': [B, 'Variances', 'S2'],
    residual: resid,
  }, -23240.856);
});

test('m3: cross-level interactions on sector, meanses_c, pracad_c match lme4 (-23214.496, 19)', () => {
  const b = ['SECTOR', 'MEANSES_C', 'PRACAD_C'];
  const roles: Roles = { cluster: 'SCHOOL', within: ['FEMALE', 'SES_C'], between: b, both: ['MATHACH'] };
  const spec: TwoLevelSpec = { y: 'MATHACH', slopes: { S1: 'FEMALE', S2: 'SES_C' }, between: { MATHACH: b, S1: b, S2: b }, covariances: true };
  const r = fit(spec, roles);
  const map: Record<string, Where> = {
    '(Intercept)': [B, 'Intercepts', 'MATHACH'],
    female: [B, 'Intercepts', 'S1'],
    ses_c: [B, 'Intercepts', 'S2'],
    'var((Intercept))': [B, 'Residual Variances', 'MATHACH'],
    'cov((Intercept),female)': [B, 'MATHACH WITH', 'S1'],
    'cov((Intercept),ses_c)': [B, 'MATHACH WITH', 'S2'],
    'var(female)': [B, 'Residual Variances', 'S1'],
    'cov(female,ses_c)': [B, 'S1 WITH', 'S2'],
    'var(ses_c)': [B, 'Residual Variances', 'S2'],
    residual: resid,
  };
  for (const w of ['sector', 'meanses_c', 'pracad_c']) {
    map[w] = [B, 'MATHACH ON', w.toUpperCase()];
    map[`female:${w}`] = [B, 'S1 ON', w.toUpperCase()];
    map[`ses_c:${w}`] = [B, 'S2 ON', w.toUpperCase()];
  }
  compare(r, peers.models.m3!, map, -23214.496);
  // lme4 reports a singular fit: T sits on the PSD boundary
  assert.ok(r.warnings.some((w) => w.code === 'PSI_NOT_PD'));
  // EAP: one row per school, full coefficients plus posterior SDs
  const fs = r.factorScores!;
  assert.equal(fs.names, ['MATHACH', 'S1', 'S2', 'MATHACH_SE', 'S1_SE', 'S2_SE']);
  assert.is(fs.values.length, 160 * 6);
});

test('m2 with INFORMATION = EXPECTED: fixed-effect SEs equal lme4\'s vcov() within 1%', () => {
  const roles: Roles = { cluster: 'SCHOOL', within: ['FEMALE', 'SES'], between: ['MEANSES', 'SECTOR'], both: ['MATHACH'] };
  const spec: TwoLevelSpec = { y: 'MATHACH', slopes: { S1: 'FEMALE', S2: 'SES' }, between: { MATHACH: ['MEANSES', 'SECTOR'] }, covariances: true };
  const r = estimateTwoLevel(twoLevelIR(spec, roles), makeDataset('hsb.dat', cols, roles), { estimator: 'ML', information: 'expected' });
  const fixed = peers.models.m2!.fixed as Record<string, { se?: number; se_expected?: number }>;
  const map: Record<string, Where> = {
    '(Intercept)': [B, 'Intercepts', 'MATHACH'], female: [B, 'Means', 'S1'], ses: [B, 'Means', 'S2'],
    meanses: [B, 'MATHACH ON', 'MEANSES'], sector: [B, 'MATHACH ON', 'SECTOR'],
  };
  for (const [term, where] of Object.entries(map)) {
    const want = fixed[term]!.se_expected ?? fixed[term]!.se!;
    const got = lookup(r, where).se;
    assert.ok(Math.abs(got - want) <= 0.01 * want, `${term}: ${got} vs ${want}`);
  }
});

test.run();
