// Benchmark of the data stage: read a generated free-format file of 1,000,000
// rows x 20 variables and DEFINE-transform it. Goal: under 3 s and under 2x the
// raw Float64 size (160 MB) in memory.
//
//   node --import tsx bench/data.ts [rows]
//
// The file is generated in a temp folder (streamed, so generation itself stays
// small in memory) and removed afterwards.

import { mkdtempSync, openSync, writeSync, closeSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseOrThrow } from '../src/syntax/parse.js';
import { loadData } from '../src/data/index.js';

export interface DataBenchResult {
  rows: number;
  vars: number;
  fileMB: number;
  seconds: number;
  /** CPU time (user + system) of the read, s: wall time suffers when other processes share the cores */
  cpuSeconds: number;
  /** memory held by the Dataset (array buffers + heap growth), MB */
  heldMB: number;
  /** peak resident set size growth during the read, MB */
  peakRssGrowthMB: number;
  rawFloat64MB: number;
}

const P = 20;

function generate(path: string, rows: number): void {
  const fd = openSync(path, 'w');
  let seed = 12345;
  const rnd = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed / 4294967296;
  };
  const CH = 10000;
  for (let r0 = 0; r0 < rows; r0 += CH) {
    const lines: string[] = [];
    for (let r = r0; r < Math.min(rows, r0 + CH); r++) {
      const v: string[] = [String(1 + Math.floor(r / 20))]; // cluster id: 20 rows per cluster
      for (let j = 1; j < P; j++) v.push(((rnd() - 0.5) * 20).toFixed(6));
      lines.push(v.join(' '));
    }
    writeSync(fd, lines.join('\n') + '\n');
  }
  closeSync(fd);
}

export function benchData(rows = 1_000_000): DataBenchResult {
  const dir = mkdtempSync(join(tmpdir(), 'plusmix-bench-data-'));
  try {
    const file = join(dir, 'big.dat');
    generate(file, rows);
    const inp = `DATA: FILE = big.dat;
VARIABLE: NAMES = clus v1-v19; USEVARIABLES = v1-v19 s m l d cm; CLUSTER = clus;
DEFINE: s = SUM(v1-v5);
  m = MEAN(v6-v10);
  l = LOG(v11 + 11);
  IF (v12 GT 0 AND v13 LT 5) THEN d = 1;
  IF (v12 LE 0) THEN d = 0;
  cm = CLUSTER_MEAN(v14);
  CENTER v15 (GRANDMEAN);
`;
    const ast = parseOrThrow(inp, join(dir, 'big.inp'));
    (globalThis as { gc?: () => void }).gc?.();
    const m0 = process.memoryUsage();
    const rss0 = process.resourceUsage().maxRSS;
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const { dataset } = loadData(ast, dir);
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(c0);
    (globalThis as { gc?: () => void }).gc?.();
    const m1 = process.memoryUsage();
    const rss1 = process.resourceUsage().maxRSS;
    if (dataset.nRows !== rows) throw new Error(`read ${dataset.nRows} rows, expected ${rows}`);
    const MB = 1024 * 1024;
    return {
      rows,
      vars: P,
      fileMB: statSync(file).size / MB,
      seconds,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      heldMB: (m1.arrayBuffers - m0.arrayBuffers + (m1.heapUsed - m0.heapUsed)) / MB,
      peakRssGrowthMB: (rss1 - Math.max(rss0, 0)) / 1024,
      rawFloat64MB: (rows * P * 8) / MB,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const rows = Number(process.argv[2] ?? 1_000_000);
  const r = benchData(rows);
  const ok = r.seconds < 3 && r.heldMB < 2 * r.rawFloat64MB;
  console.log(
    `bench/data: ${r.rows} rows x ${r.vars} vars (${r.fileMB.toFixed(0)} MB file): read + DEFINE ${r.seconds.toFixed(2)} s wall, ${r.cpuSeconds.toFixed(2)} s CPU; ` +
      `held ${r.heldMB.toFixed(0)} MB, peak RSS growth ${r.peakRssGrowthMB.toFixed(0)} MB (raw Float64 ${r.rawFloat64MB.toFixed(0)} MB, goal < ${(2 * r.rawFloat64MB).toFixed(0)} MB, < 3 s): ${ok ? 'OK' : 'MISSED'}`,
  );
}
