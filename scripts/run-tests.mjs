// Runs compiled test files with node's own test runner.
// Usage: node scripts/run-tests.mjs [--dir .build] [substring ...]
// It first links the build's `losskit` and `@losskit/lab` (scripts/link-build.mjs).
// Node 20's `--test` does not expand globs, so the files are listed here.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function findTests(dir, out = []) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules') continue; // the links of scripts/link-build.mjs
    const path = join(dir, name);
    if (statSync(path).isDirectory()) findTests(path, out);
    else if (name.endsWith('.test.js')) out.push(path);
  }
  return out;
}

const args = process.argv.slice(2);
let dir = '.build';
const dirFlag = args.indexOf('--dir');
if (dirFlag !== -1) {
  dir = args[dirFlag + 1];
  args.splice(dirFlag, 2);
}
// `losskit` and `@losskit/lab` resolve to the compiled sources of this build (one copy of each).
const linked = spawnSync(process.execPath, [new URL('link-build.mjs', import.meta.url).pathname, '--dir', dir], {
  stdio: 'inherit',
});
if (linked.status !== 0) process.exit(linked.status ?? 1);
const files = findTests(dir)
  .filter((f) => args.length === 0 || args.some((s) => f.includes(s)))
  .sort();
if (files.length === 0) {
  console.error(`run-tests: no compiled test files found under ${dir} (did tsc run?)`);
  process.exit(1);
}
const result = spawnSync(process.execPath, ['--test', '--test-reporter=spec', ...files], { stdio: 'inherit' });
process.exit(result.status ?? 1);
