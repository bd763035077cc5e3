// `npm run bench`: runs plusmix's benchmarks and, where an R peer exists and Rscript is installed, the
// peer's timing run, then prints a table (also written to bench/out/latest.md). See bench/README.md.
//
//   npm run bench -- [NAME ...] [--no-peers] [--data DIR]
//     NAME        run only these benchmarks (parse, data, mixture, twolevel, nels)
//     --no-peers  skip the R peers
//     --data DIR  data folder handed to the peer scripts (default: their own default, fixtures/)
//
// Each benchmark module exports one function (sync or async) returning an object or an array of
// objects; the driver reads the time from `seconds`, else `bestMs` / `ms` (milliseconds), and shows
// `cpuSeconds`, `loglikelihood` and `parameters` when present. A missing module or export is skipped
// with a message, so benchmarks can land one at a time.
// The peer is timed as a whole process (`Rscript bench/peers/<script> --time`: R start-up, package
// loading, data reading and the fit), and the fit alone as the script reports it.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const benchDir = dirname(fileURLToPath(import.meta.url));
const root = dirname(benchDir);

interface BenchSpec {
  name: string;
  module: string;
  exportName: string;
  /** R peer script in bench/peers/, run with --time */
  peer?: string;
  /** the peer's log-likelihood of the same model: fixture file and path inside it */
  peerLoglik?: { file: string; path: string[] };
}

const BENCHES: BenchSpec[] = [
  { name: 'parse', module: 'parse.ts', exportName: 'benchParse' },
  { name: 'data', module: 'data.ts', exportName: 'benchData' },
  {
    name: 'mixture', module: 'mixture.ts', exportName: 'benchMixture', peer: 'regmix_flexmix.R',
    peerLoglik: { file: 'regmix_flexmix.json', path: ['models', 'class_invariant_variance', 'loglik'] },
  },
  {
    name: 'twolevel', module: 'twolevel.ts', exportName: 'benchTwoLevel', peer: 'hsb_lme4.R',
    peerLoglik: { file: 'hsb_lme4.json', path: ['models', 'm3', 'loglik'] },
  },
  { name: 'nels', module: 'nels.ts', exportName: 'benchNels' },
];

interface Row {
  name: string;
  plusmix?: number;
  plusmixCpu?: number;
  peerProcess?: number;
  peerProcessCpu?: number;
  peerFit?: number;
  notes: string[];
}

type Dict = Record<string, unknown>;

function num(o: Dict, key: string): number | undefined {
  const v = o[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** Seconds taken by one benchmark result object, whatever its shape. */
function secondsOf(o: Dict): number | undefined {
  const s = num(o, 'seconds');
  if (s !== undefined) return s;
  const ms = num(o, 'bestMs') ?? num(o, 'ms');
  return ms !== undefined ? ms / 1000 : undefined;
}

function peerLoglik(spec: BenchSpec): number | undefined {
  if (!spec.peerLoglik) return undefined;
  const file = join(root, 'fixtures', 'peers', spec.peerLoglik.file);
  if (!existsSync(file)) return undefined;
  let v: unknown = JSON.parse(readFileSync(file, 'utf8'));
  for (const k of spec.peerLoglik.path) v = (v as Dict | undefined)?.[k];
  return typeof v === 'number' ? v : undefined;
}

async function runPlusmix(spec: BenchSpec): Promise<Row[]> {
  const path = join(benchDir, spec.module);
  if (!existsSync(path)) return [{ name: spec.name, notes: [`skipped: bench/${spec.module} not written yet`] }];
  const mod = (await import(pathToFileURL(path).href)) as Dict;
  const fn = mod[spec.exportName];
  if (typeof fn !== 'function') return [{ name: spec.name, notes: [`skipped: bench/${spec.module} has no export ${spec.exportName}`] }];
  let out: unknown;
  try {
    out = await (fn as () => unknown)();
  } catch (e) {
    return [{ name: spec.name, notes: [`failed: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`] }];
  }
  const results = (Array.isArray(out) ? out : [out]) as unknown[];
  const refLL = peerLoglik(spec);
  return results.map((r, i) => {
    const row: Row = { name: results.length > 1 ? `${spec.name}[${i + 1}]` : spec.name, notes: [] };
    if (typeof r === 'number') {
      row.plusmix = r;
      return row;
    }
    const o = (r ?? {}) as Dict;
    if (typeof o.name === 'string') row.notes.push(o.name);
    row.plusmix = secondsOf(o);
    row.plusmixCpu = num(o, 'cpuSeconds');
    const ll = num(o, 'loglikelihood');
    if (ll !== undefined) {
      const np = num(o, 'parameters');
      row.notes.push(`logL ${ll.toFixed(3)}${np !== undefined ? ` (${np} par)` : ''}` +
        (refLL !== undefined ? `, peer ${refLL.toFixed(3)}, diff ${(ll - refLL).toFixed(3)}` : ''));
    }
    return row;
  });
}

function rscriptVersion(): string | undefined {
  const r = spawnSync('Rscript', ['--version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) return undefined;
  return (r.stdout + r.stderr).trim().split('\n')[0];
}

interface PeerTiming { process?: number; processCpu?: number; fit?: number; note?: string }

/** Whole-process wall time of the peer's --time run, its CPU time and the fit time it reports. */
function runPeer(script: string, dataDir: string | undefined): PeerTiming {
  const args = [join(benchDir, 'peers', script), '--time', ...(dataDir ? ['--data', dataDir] : [])];
  const t0 = process.hrtime.bigint();
  const r = spawnSync('Rscript', args, { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.error || r.status !== 0) {
    const msg = (r.stderr || String(r.error ?? '')).trim().split('\n').slice(-1)[0];
    return { note: `peer ${script} failed: ${msg}` };
  }
  const line = r.stdout.trim().split('\n').filter((l) => l.startsWith('{')).pop();
  const rep = line ? (JSON.parse(line) as Dict) : {};
  const fits = Array.isArray(rep.fits) ? rep.fits.join(', ') : String(rep.fits ?? '');
  return { process: wall, processCpu: num(rep, 'process_cpu'), fit: num(rep, 'elapsed'), note: `peer: ${script} (${fits})` };
}

const fmt = (s: number | undefined) => (s === undefined ? '–' : s < 1 ? `${(s * 1000).toFixed(1)} ms` : `${s.toFixed(2)} s`);

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const noPeers = argv.includes('--no-peers');
  const di = argv.indexOf('--data');
  const dataDir = di >= 0 ? argv[di + 1] : undefined;
  const names = argv.filter((a, i) => !a.startsWith('--') && !(di >= 0 && i === di + 1));
  const unknown = names.filter((n) => !BENCHES.some((b) => b.name === n));
  if (unknown.length) {
    console.error(`unknown benchmark(s): ${unknown.join(', ')}; known: ${BENCHES.map((b) => b.name).join(', ')}`);
    process.exit(2);
  }
  const selected = BENCHES.filter((b) => names.length === 0 || names.includes(b.name));
  const rVersion = noPeers ? undefined : rscriptVersion();
  if (!noPeers && !rVersion) console.log('Rscript not found: peers skipped (see bench/README.md to install R).');

  const rows: Row[] = [];
  for (const spec of selected) {
    console.log(`running ${spec.name} ...`);
    const got = await runPlusmix(spec);
    if (spec.peer && rVersion) {
      // one peer run, shown against every plusmix measurement of the benchmark (e.g. in-process and
      // whole-process rows)
      const p = runPeer(spec.peer, dataDir);
      for (const row of got) {
        row.peerProcess = p.process;
        row.peerProcessCpu = p.processCpu;
        row.peerFit = p.fit;
      }
      if (p.note) got[got.length - 1].notes.push(p.note);
    }
    rows.push(...got);
  }

  const header = ['benchmark', 'plusmix', 'plusmix CPU', 'peer (process)', 'peer CPU (process)', 'peer (fit)',
    'ratio peer/plusmix', 'ratio CPU', 'notes'];
  const ratio = (a?: number, b?: number) => (a && b ? (a / b).toFixed(2) : '–');
  const lines = [
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${[r.name, fmt(r.plusmix), fmt(r.plusmixCpu), fmt(r.peerProcess), fmt(r.peerProcessCpu),
      fmt(r.peerFit), ratio(r.peerProcess, r.plusmix), ratio(r.peerProcessCpu, r.plusmixCpu), r.notes.join('; ')].join(' | ')} |`),
  ];
  const cpu = cpus();
  const meta = [
    `# plusmix benchmarks, ${new Date().toISOString()}`,
    '',
    `Node ${process.version}; ${rVersion ?? 'R: not used'}; ${cpu.length} x ${cpu[0]?.model ?? '?'}; ` +
      `load average at the end ${loadavg().map((l) => l.toFixed(2)).join(' ')}.`,
    'plusmix: the time each benchmark reports (in process). peer (process): wall time of the whole',
    '`Rscript bench/peers/<script> --time` run; peer CPU (process): that R process\'s CPU seconds; peer (fit):',
    'the fit alone (wall). ratio = peer (process) / plusmix, ratio CPU = peer CPU / plusmix CPU; > 1: plusmix faster.',
    '',
  ];
  const table = lines.join('\n');
  console.log('\n' + table);
  const outDir = join(benchDir, 'out');
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'latest.md'), meta.join('\n') + '\n' + table + '\n');
  console.log(`\nwritten to bench/out/latest.md`);
}

await main();
