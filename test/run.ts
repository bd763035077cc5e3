// Test runner: loads every test/**/*.test.ts file (uvu suites), then prints a summary.
// Usage: node --import tsx test/run.ts [filter]
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = new URL('.', import.meta.url).pathname;
const filter = process.argv[2];

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

const files = walk(root).filter((f) => !filter || relative(root, f).includes(filter));
for (const f of files) await import(pathToFileURL(f).href);
