// Benchmark of the parser: generate a ~1 MB input (long VARIABLE lists, many
// MODEL statements in class sections, DEFINE and MODEL CONSTRAINT blocks) and
// time parseInput. Goal: under 200 ms.
//
//   node --import tsx bench/parse.ts [targetBytes] [runs]   (default 1000000 bytes, best of 12 runs)

import { pathToFileURL } from 'node:url';
import { parseInput } from '../src/syntax/parse.js';

export interface ParseBenchResult {
  bytes: number;
  lines: number;
  commands: number;
  statements: number;
  diagnostics: number;
  /** best of the timed runs, ms */
  bestMs: number;
  /** median of the timed runs, ms */
  medianMs: number;
  /** CPU time (user + system) of the best run, ms: wall time suffers when other processes share the cores */
  cpuMs: number;
  /** the same in seconds (read by bench/run.ts) */
  cpuSeconds: number;
}

/** A syntactically valid input of about `target` bytes. */
export function generateInput(target = 1_000_000): string {
  const out: string[] = [];
  out.push('TITLE: generated benchmark input ! with a comment', '  second title line');
  out.push('DATA: FILE = bench.dat;', 'VARIABLE:');
  const names: string[] = [];
  for (let i = 1; i <= 400; i++) names.push(`y${i}`);
  for (let i = 0; i < names.length; i += 12) out.push(`  ${i ? '' : 'NAMES = '}${names.slice(i, i + 12).join(' ')}${i + 12 >= names.length ? ';' : ''}`);
  out.push('  USEVARIABLES = y1-y400 d1-d50;', '  MISSING = ALL (-999);', '  CLASSES = c (3);', '  CLUSTER = y400;');
  out.push('DEFINE:');
  for (let i = 1; i <= 50; i++) out.push(`  d${i} = LOG(y${i} + 1) * 2.5 - SQRT(ABS(y${i + 50}));  ! derived ${i}`);
  out.push('  IF (y1 GT 0 AND y2 LE 3) THEN d1 = _MISSING;');
  out.push('ANALYSIS: TYPE = TWOLEVEL MIXTURE; ESTIMATOR = MLR; STARTS = 100 20;');
  out.push('MODEL:', '  %WITHIN%', '  %OVERALL%');
  let size = out.join('\n').length;
  let k = 0;
  const constraint: string[] = ['MODEL CONSTRAINT:'];
  while (size < target * 0.9) {
    const cls = (k % 3) + 1;
    const block = [
      `  %c#${cls}%`,
      `    f${k} BY y${(k % 390) + 1}-y${(k % 390) + 5}* (l${k}_1-l${k}_5);`,
      `    y${(k % 390) + 1} ON y${(k % 390) + 6} y${(k % 390) + 7}@0.5 (b${k});  ! slope ${k}`,
      `    [y${(k % 390) + 1}*1.25 y${(k % 390) + 2}$1@-0.5] (m${k});`,
      `    y${(k % 390) + 3} WITH y${(k % 390) + 4}*0.1;`,
      `    s${k} | y${(k % 390) + 8} ON y${(k % 390) + 9};`,
    ];
    constraint.push(`  NEW (n${k}*0.5); n${k} = b${k} / (1 + EXP(m${k})); b${k} > -10;`);
    for (const l of block) size += l.length + 1;
    size += constraint[constraint.length - 1].length + 1;
    out.push(...block);
    k++;
  }
  out.push(...constraint);
  out.push('OUTPUT: TECH1 TECH8;');
  return out.join('\n') + '\n';
}

export function benchParse(target = 1_000_000, runs = 12): ParseBenchResult {
  const text = generateInput(target);
  const times: number[] = [];
  const cpu: number[] = [];
  let last = parseInput(text, 'bench.inp'); // warm-up (JIT)
  for (let i = 0; i < runs; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    last = parseInput(text, 'bench.inp');
    times.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  const sorted = [...times].sort((a, b) => a - b);
  const statements = last.ast.commands.reduce((n, c) => n + ('statements' in c ? c.statements.length : c.kind === 'Options' ? c.options.length : 0), 0);
  return {
    bytes: text.length,
    lines: text.split('\n').length,
    commands: last.ast.commands.length,
    statements,
    diagnostics: last.diagnostics.length,
    bestMs: sorted[0],
    medianMs: sorted[Math.floor(sorted.length / 2)],
    cpuMs: cpu[times.indexOf(sorted[0])],
    cpuSeconds: cpu[times.indexOf(sorted[0])] / 1000,
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const target = Number(process.argv[2] ?? 1_000_000);
  const r = benchParse(target, Number(process.argv[3] ?? 12));
  console.log(
    `parse: ${(r.bytes / 1e6).toFixed(2)} MB, ${r.lines} lines, ${r.commands} commands, ${r.statements} statements/options, ${r.diagnostics} diagnostics\n` +
      `       best ${r.bestMs.toFixed(1)} ms (CPU ${r.cpuMs.toFixed(1)} ms), median ${r.medianMs.toFixed(1)} ms (goal < 200 ms)`,
  );
}
