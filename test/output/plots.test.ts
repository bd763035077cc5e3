// Plots: well-formed, self-contained, deterministic SVG with the expected marks.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { classMeansPlot, histogramByClass, impliedClassMeans, plotFiles, scatterPlot } from '../../src/output/plots.js';
import { readMplusOut } from '../../src/output/mplusReader.js';
import { referenceText } from './reference.js';

/** minimal XML well-formedness: every non-self-closing tag is closed in order */
function wellFormed(xml: string): boolean {
  const stack: string[] = [];
  for (const m of xml.matchAll(/<(\/?)([a-zA-Z]+)[^>]*?(\/?)>/g)) {
    if (m[3] === '/') continue;
    if (m[1] === '/') {
      if (stack.pop() !== m[2]) return false;
    } else stack.push(m[2]);
  }
  return stack.length === 0;
}

function selfContained(svg: string): boolean {
  return !/<script|href=|url\(|@import/i.test(svg) && (svg.match(/http/g) ?? []).length === 1; // only the xmlns
}

test('histogram by most likely class: one bar per non-empty bin and class', () => {
  const values = new Float64Array([0, 0.1, 0.2, 5, 5.1, 9.9, 10, NaN]);
  const modal = [1, 1, 1, 2, 2, 2, 2, 1];
  const svg = histogramByClass('Y1', values, modal, ['1', '2'], 10);
  assert.ok(wellFormed(svg));
  assert.ok(selfContained(svg));
  const bars = svg.match(/<rect x="[^"]+" y="[^"]+" width="[^"]+" height="[^"]+" fill="#/g) ?? [];
  assert.is(bars.length - 2, 3, 'class 1: bin 0; class 2: bins 5 and 9 (the legend adds 2 swatches)');
  assert.is(histogramByClass('Y1', values, modal, ['1', '2'], 10), svg);
});

test('estimated class means from MODEL RESULTS (ex10.4 between-level intercepts)', () => {
  const f = readMplusOut(referenceText('ex10.4'));
  const vars = ['Y1', 'Y2', 'Y3', 'Y4', 'Y5'];
  const series = impliedClassMeans(f.result.parameters, vars);
  // class 2 has [FB] fixed at 0: its implied means are the between-level intercepts
  assert.equal(series[1], { classLabel: '2', means: [-0.02, -0.015, -0.074, 0.01, -0.067] });
  const svg = classMeansPlot(vars, series);
  assert.ok(wellFormed(svg) && selfContained(svg));
  assert.is((svg.match(/<polyline/g) ?? []).length, 2);
  assert.is((svg.match(/<circle/g) ?? []).length, 10);
});

test('model-implied class means: intercepts plus loading x factor mean (ex10.4, Mplus 8.8 estimates)', () => {
  const f = readMplusOut(referenceText('ex10.4'));
  const [c1, c2] = impliedClassMeans(f.result.parameters, ['Y1', 'Y2']);
  // class 1: [FB] = 2.180, FB BY Y1 = 1 (fixed), Y2 = 0.773; between intercepts Y1 = -0.020, Y2 = -0.015; [FW] = 0
  assert.ok(Math.abs(c1.means[0] - (-0.02 + 2.18)) < 1e-9 && Math.abs(c1.means[1] - (-0.015 + 0.773 * 2.18)) < 1e-9, String(c1.means));
  // class 2: [FB] fixed at 0, so the means are the intercepts
  assert.equal(c2.means, [-0.02, -0.015]);
});

test('scatter of random effects and the HTML index', () => {
  const x = new Float64Array([0, 1, 2, NaN]);
  const y = new Float64Array([1, 0, 2, 3]);
  const svg = scatterPlot('S', 'I', x, y, [1, 2, 1, 2], ['1', '2']);
  assert.ok(wellFormed(svg) && selfContained(svg));
  assert.is((svg.match(/<circle/g) ?? []).length, 3);
  const files = plotFiles('/out', 'run', 'run plots', [{ name: 'scatter', caption: 'EAP estimates', svg }]);
  assert.equal(files.map((f) => f.path), ['/out/run_scatter.svg', '/out/run_plots.html']);
  assert.is(files[0].content, svg);
  const html = files[1].content;
  assert.ok(html.includes('<img src="run_scatter.svg" alt="EAP estimates">'));
  assert.ok(wellFormed(html.replace(/<!DOCTYPE html>|<meta[^>]*>|<img[^>]*>/g, '')));
});

test.run();
