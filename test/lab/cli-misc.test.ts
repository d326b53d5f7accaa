// The CLI's version and its numeric flags: `--version` reads package.json at run time, and every
// number a flag takes is checked (finite, in range, an integer where one is needed) with an error
// that names the flag and the value.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { test } from 'node:test';
import {
  integerBetween,
  nonNegativeInteger,
  numberRange,
  positiveInteger,
} from '../../packages/lab/src/cli/parse-args.js';
import { CliError } from '../../packages/lab/src/cli/io.js';
import { packageVersion } from '../../packages/lab/src/cli/program.js';
import { cli } from './cli-capture.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const compiledLab = fileURLToPath(new URL('../../packages/lab/src/', import.meta.url));
const scratch = () => mkdtempSync(join(tmpdir(), 'losskit-misc-'));
const outFile = () => join(scratch(), 'plot.svg');

/** The message a Commander argument parser throws for `value`. */
function parserError(parse: (value: string) => unknown, value: string): string {
  try {
    parse(value);
  } catch (error) {
    return (error as Error).message;
  }
  return assert.fail(`'${value}' was accepted`);
}

test('losskit --version and -V print the version in package.json', async () => {
  const { version } = JSON.parse(readFileSync(join(repoRoot, 'packages/lab/package.json'), 'utf8'));
  for (const flag of ['--version', '-V']) {
    const run = await cli(flag);
    assert.equal(run.code, 0, flag);
    assert.equal(run.stdout, `${version}\n`, flag);
  }
});

test('the compiled bin reads the version of the package it is installed in (dist/cli/main.js)', () => {
  const pkg = join(scratch(), 'lab');
  cpSync(compiledLab, join(pkg, 'dist'), { recursive: true });
  writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: '@losskit/lab', version: '9.8.7-layout', type: 'module' }));
  symlinkSync(join(repoRoot, 'node_modules'), join(pkg, 'node_modules'), 'dir');
  const run = spawnSync(process.execPath, [join(pkg, 'dist', 'cli', 'main.js'), '--version'], {
    encoding: 'utf8',
  });
  assert.equal(run.status, 0, run.stderr);
  assert.equal(run.stdout, '9.8.7-layout\n');
});

test('a missing package.json is a CliError naming where it was looked for, not a made-up version', () => {
  const dir = scratch();
  assert.throws(
    () => packageVersion(pathToFileURL(`${dir}/`)),
    (e: unknown) => e instanceof CliError && e.message === `cannot find the package.json of @losskit/lab above ${dir}/`,
  );
});

test('plot --points takes an integer from 2 to 100000 and names the flag and the value otherwise', async () => {
  for (const points of ['1', '100001', '2.5', '1e3', '-5', 'many', '1e400']) {
    const run = await cli('plot', 'huber', '--points', points, '--out', outFile());
    assert.equal(run.code, 1, points);
    assert.match(
      run.stderr,
      new RegExp(
        `option '--points <n>' argument '${points.replace('.', '\\.')}' is invalid\\. expected an integer from 2 to 100000, got '${points.replace('.', '\\.')}'`,
      ),
      points,
    );
  }
  const two = await cli('plot', 'huber', '--points', '2', '--out', outFile());
  assert.equal(two.code, 0, two.stderr);
});

test('plot --range must be two increasing finite numbers within ±1e9, and the error quotes the bad end', async () => {
  const cases: Array<[string, string]> = [
    ['0,Infinity', "'Infinity' is not a finite number"],
    ['-1e400,1', "'-1e400' is not a finite number"],
    ['-1e308,1e308', "'-1e308' is outside ±1e9"],
    [',4', "'' is not a number"],
    ['0,x', "'x' is not a number"],
    ['4,-4', "lo must be less than hi, got '4,-4'"],
    ['1,2,3', "expected two numbers 'lo,hi', got '1,2,3'"],
  ];
  for (const [range, problem] of cases) {
    const run = await cli('plot', 'huber', '--range', range, '--out', outFile());
    assert.equal(run.code, 1, range);
    assert.ok(
      run.stderr.startsWith(`error: option '--range <lo,hi>' argument '${range}' is invalid. ${problem}\n`),
      `${range}: ${run.stderr}`,
    );
  }
});

test('a --range outside what the loss accepts is blamed on --range', async () => {
  const run = await cli('plot', 'binaryCrossEntropy', '--range', '-5,5', '--out', outFile());
  assert.equal(run.code, 1);
  assert.match(
    run.stderr,
    /^losskit: --range -5,5 is outside what binaryCrossEntropy accepts: .*-5.*outside \[0, 1\]/,
  );
  const inside = await cli('plot', 'binaryCrossEntropy', '--range', '0.1,0.9', '--out', outFile());
  assert.equal(inside.code, 0, inside.stderr);
});

test('an error that --range did not cause is not blamed on it', async () => {
  const run = await cli('plot', 'huber', '--delta', '-1', '--range', '-2,2', '--out', outFile());
  assert.equal(run.code, 1);
  assert.match(run.stderr, /^losskit: huber: options\.delta: must be a finite number > 0, got -1\n$/);
});

test('lab --seeds takes a positive integer up to 1000', async () => {
  // --only nope would fail after the flags are parsed: each case must fail on --seeds itself.
  for (const [seeds, problem] of [
    ['0', "expected a positive integer, got '0'"],
    ['1.5', "expected a positive integer, got '1.5'"],
    ['1e20', "expected a positive integer, got '1e20'"],
    ['1001', "expected a positive integer up to 1000, got '1001'"],
  ]) {
    const run = await cli('lab', '--seeds', seeds, '--only', 'nope', '--out', scratch());
    assert.equal(run.code, 1, seeds);
    assert.ok(
      run.stderr.startsWith(`error: option '--seeds <n>' argument '${seeds}' is invalid. ${problem}\n`),
      `${seeds}: ${run.stderr}`,
    );
  }
});

test('a seed is any non-negative safe integer: 0 included, fractions, signs and unsafe integers not', () => {
  assert.equal(nonNegativeInteger('0'), 0);
  assert.equal(nonNegativeInteger('42'), 42);
  assert.equal(nonNegativeInteger(String(Number.MAX_SAFE_INTEGER)), Number.MAX_SAFE_INTEGER);
  for (const value of ['-1', '1.5', '', ' ', '1e3', '0x10', 'NaN', '9007199254740993'])
    assert.equal(
      parserError(nonNegativeInteger, value),
      `expected a non-negative integer, got '${value}'`,
      value,
    );
});

test('positive and bounded integer flags take decimal digits only, within the safe integers', () => {
  assert.equal(positiveInteger('7'), 7);
  for (const value of ['0', '0x10', '1e3', '', '9007199254740993'])
    assert.equal(parserError(positiveInteger, value), `expected a positive integer, got '${value}'`, value);
  const points = integerBetween(2, 10);
  assert.equal(points('2'), 2);
  assert.equal(points('10'), 10);
  assert.equal(parserError(points, '11'), "expected an integer from 2 to 10, got '11'");
  assert.deepEqual(numberRange(' -4 , 4 '), [-4, 4]);
});

test('lab --help promises no duration for --quick; the summary line reports the measured one', async () => {
  const help = (await cli('lab', '--help')).stdout.replace(/\s+/g, ' ');
  assert.doesNotMatch(help, /\d+\s*(s|sec|seconds?|min|minutes?)\b|a minute|few minutes/, help);
  assert.match(
    help,
    /--quick smaller data and fewer steps, for a quick check \(the summary line says how long the run took\)/,
  );
  const run = await cli('lab', '--quick', '--only', 'regression-outliers', '--out', scratch());
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /\(quick mode, seed 1, \d+(\.\d+)? s\)/);
});
