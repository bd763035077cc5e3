import { runCompare } from './src/cli/compare.js';
process.exitCode = await runCompare(process.argv.slice(2).filter(a=>!a.startsWith('--')), { json: process.argv.includes('--json'), csv: process.argv.includes('--csv') });
