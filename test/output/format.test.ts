// Fortran-style number formats, checked against strings printed by Mplus 8.8 (test/output/reference).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fixed, fmtD, fmtE, fmtF, fmtI, labelValue, parseFortran } from '../../src/output/format.js';

test('D format with 8-digit mantissa (TECH8 loglikelihoods)', () => {
  assert.is(fmtD(-7137.6209, 8), '-0.71376209D+04');
  assert.is(fmtD(-965.24408, 8), '-0.96524408D+03');
  assert.is(fmtD(-985.32143, 8), '-0.98532143D+03');
  assert.is(fmtD(0, 8), '0.00000000D+00');
});

test('D format with 3-digit mantissa (convergence criteria)', () => {
  assert.is(fmtD(1e-6, 3), '0.100D-05');
  assert.is(fmtD(1e-3, 3), '0.100D-02');
  assert.is(fmtD(0.01, 3), '0.100D-01');
  assert.is(fmtD(1, 3), '0.100D+01');
  assert.is(fmtD(5, 3), '0.500D+01');
  assert.is(fmtD(1e-7, 3), '0.100D-06');
  // rounding carries into the exponent
  assert.is(fmtD(9.9996, 3), '0.100D+02');
});

test('E format (condition numbers)', () => {
  assert.is(fmtE(0.0003, 3), '0.300E-03');
  assert.is(fmtE(0.06, 3), '0.600E-01');
  assert.is(fmtE(0.00029987, 3), '0.300E-03');
});

test('parseFortran inverts D and E formats', () => {
  assert.is(parseFortran('-0.71376209D+04'), -7137.6209);
  assert.is(parseFortran('0.300E-03'), 0.0003);
});

test('F and I formats: width, rounding, negative zero, overflow', () => {
  assert.is(fmtF(0.8594, 11, 3), '      0.859');
  assert.is(fmtF(-0.0004, 11, 3), '      0.000');
  assert.is(fmtF(-2.063, 11, 3), '     -2.063');
  assert.is(fmtF(123456.7, 5, 1), '*****');
  assert.is(fmtF(NaN, 4, 1), '****');
  assert.is(fmtI(505, 17), '              505');
  assert.is(fmtI(12345, 3), '***');
  assert.is(fixed(-5334.228, 3), '-5334.228');
});

test('labelValue right-aligns the value to an end column', () => {
  const line = labelValue('Number of Free Parameters', '23', 50);
  assert.is(line, 'Number of Free Parameters                       23');
  assert.is(line.length, 50);
  assert.is(labelValue('          H0 Value', '-5334.228', 50), '          H0 Value                       -5334.228');
});

test.run();
