// Test helper: the real Mplus 8.8 outputs copied into test/output/reference/ (see README there).
import { readFileSync } from 'node:fs';

export const REF_DIR = new URL('./reference/', import.meta.url).pathname;

export function referenceText(name: 'ex10.4' | 'ex7.3'): string {
  return readFileSync(`${REF_DIR}${name}.out`, 'utf8');
}
