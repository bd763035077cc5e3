import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { main } from '../../src/cli/main.js';

test('--version prints the version and exits 0', async () => {
  const write = process.stdout.write;
  let out = '';
  process.stdout.write = ((s: string) => ((out += s), true)) as typeof process.stdout.write;
  try {
    const code = await main(['node', 'plusmix', '--version']);
    assert.is(code, 0);
  } finally {
    process.stdout.write = write;
  }
  assert.match(out, /\d+\.\d+\.\d+/);
});

test.run();
