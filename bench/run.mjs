#!/usr/bin/env node
// Entry point of `npm run bench` (which runs `npm run build` first): compiles bench/*.ts into
// .build-bench/ with bench/tsconfig.json, then runs bench/main.ts against the built package
// (packages/losskit/dist/index.js, or the module named by $BENCH_LOSSKIT). Arguments pass through:
//   npm run bench -- --only mse,huber --quick      node bench/run.mjs --list
//   node bench/run.mjs --readme     (README.md's benchmark block from bench/results.json)
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

// glibc's malloc raises its mmap threshold as large blocks are freed, so whether a fresh 4 MiB
// gradient comes from already-mapped heap pages (0.7 ms) or from new pages faulted in one by one
// (13 ms) depended on what ran before it, and rounds disagreed by 4-8x. A fixed threshold (32 MiB,
// glibc's own maximum) and trim threshold give every cell the steady state of a long training run.
// The bench re-runs itself once with them; python and the C reference inherit them.
const allocatorTunables = 'glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=268435456';
if (process.env.GLIBC_TUNABLES === undefined && process.platform === 'linux') {
  const again = spawnSync(process.execPath, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, GLIBC_TUNABLES: allocatorTunables },
  });
  process.exit(again.status ?? 1);
}

const benchDir = dirname(fileURLToPath(import.meta.url));
const root = resolve(benchDir, '..');
const buildDir = join(benchDir, 'out');

const tsc = spawnSync(
  process.execPath,
  [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(benchDir, 'tsconfig.json')],
  {
    cwd: root,
    encoding: 'utf8',
  },
);
const errors = (tsc.stdout + tsc.stderr).split('\n').filter((line) => /error TS\d+/.test(line));
const mine = errors.filter((line) => line.startsWith('bench/'));
if (mine.length > 0) process.stderr.write(`bench: TypeScript errors in bench/:\n${mine.join('\n')}\n`);
if (errors.length > mine.length)
  process.stderr.write(
    `bench: tsc reported ${errors.length - mine.length} error(s) outside bench/ (not the bench's; ignored)\n`,
  );
const mainJs = join(root, '.build-bench/bench/main.js');
if (!existsSync(mainJs)) {
  process.stderr.write('bench: compiling bench/*.ts produced no .build-bench/bench/main.js\n');
  process.exit(1);
}

// Loaded only when the bench measures: --readme, --render and --list need no built package.
const losskitPath = resolve(root, process.env.BENCH_LOSSKIT ?? 'packages/losskit/dist/index.js');
async function loadLosskit() {
  if (!existsSync(losskitPath)) {
    process.stderr.write(
      `bench: ${relative(root, losskitPath)} not found; run \`npm run build\` (or use \`npm run bench\`)\n`,
    );
    process.exit(1);
  }
  return import(pathToFileURL(losskitPath).href);
}
const { main } = await import(pathToFileURL(mainJs).href);
try {
  await main(loadLosskit, process.argv.slice(2), {
    benchDir,
    buildDir,
    losskitFrom: relative(root, losskitPath),
  });
} catch (error) {
  if (error?.code?.startsWith?.('commander.')) process.exit(error.exitCode ?? 1);
  throw error;
}
