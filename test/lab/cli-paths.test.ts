// Where `losskit plot --out` and `losskit lab --out` may write: a bad path is one line naming the
// flag, the path and the problem (exit status 1, no stack trace), and nothing is created on the way.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { cli } from './cli-capture.js';

const scratch = () => mkdtempSync(join(tmpdir(), 'losskit-paths-'));

/** The fastest experiment, so that the lab tests that must run one stay short. */
const QUICK_LAB = ['lab', '--quick', '--only', 'regression-outliers'] as const;

test('plot --out naming a folder is an error naming --out and the folder', async () => {
  const dir = scratch();
  const run = await cli('plot', 'huber', '--out', dir);
  assert.equal(run.code, 1);
  assert.equal(run.stderr, `losskit: --out ${dir}: is a folder; give the path of the file to write\n`);
  assert.equal(run.stdout, '');
});

test('plot --out below a file is an error naming the file in the way', async () => {
  const dir = scratch();
  const file = join(dir, 'notes.txt');
  writeFileSync(file, 'not a folder');
  const out = join(file, 'huber.svg');
  const run = await cli('plot', 'huber', '--out', out);
  assert.equal(run.code, 1);
  assert.equal(run.stderr, `losskit: --out ${out}: lies under ${file}, which is a file\n`);
  assert.equal(readFileSync(file, 'utf8'), 'not a folder', 'the file in the way is left alone');
});

test('plot --out in a folder that does not exist is an error, and no folder is created', async () => {
  const dir = scratch();
  const out = join(dir, 'missing', 'deeper', 'huber.svg');
  const run = await cli('plot', 'huber', '--out', out);
  assert.equal(run.code, 1);
  assert.equal(
    run.stderr,
    `losskit: --out ${out}: the folder ${join(dir, 'missing', 'deeper')} does not exist\n`,
  );
  assert.equal(existsSync(join(dir, 'missing')), false);
});

test('plot --out relative to the working directory is written there', async () => {
  const dir = scratch();
  const cwd = process.cwd();
  process.chdir(dir);
  try {
    const run = await cli('plot', 'mse', '--out', 'mse.svg');
    assert.equal(run.code, 0, run.stderr);
    assert.match(readFileSync(join(dir, 'mse.svg'), 'utf8'), /^<\?xml/);
  } finally {
    process.chdir(cwd);
  }
});

test('lab --out naming a file is refused before any experiment runs', async () => {
  const dir = scratch();
  const file = join(dir, 'report');
  writeFileSync(file, '');
  const run = await cli(...QUICK_LAB, '--out', file);
  assert.equal(run.code, 1);
  assert.equal(run.stderr, `losskit: --out ${file}: is a file, not a folder\n`);
});

test('lab --out below a file is refused before any experiment runs', async () => {
  const dir = scratch();
  const file = join(dir, 'notes.txt');
  writeFileSync(file, '');
  const out = join(file, 'report');
  const run = await cli(...QUICK_LAB, '--out', out);
  assert.equal(run.code, 1);
  assert.equal(run.stderr, `losskit: --out ${out}: lies under ${file}, which is a file\n`);
});

test('lab --out whose parent folder does not exist is refused before any experiment runs, creating nothing', async () => {
  const dir = scratch();
  const out = join(dir, 'missing', 'report');
  const run = await cli(...QUICK_LAB, '--out', out);
  assert.equal(run.code, 1);
  assert.equal(
    run.stderr,
    `losskit: --out ${out}: the folder ${join(dir, 'missing')} does not exist (only the last folder of the path is created)\n`,
  );
  assert.equal(existsSync(join(dir, 'missing')), false);
});

test('lab --out creates the last folder of the path and writes the report into it', async () => {
  const out = join(scratch(), 'report');
  const run = await cli(...QUICK_LAB, '--out', out);
  assert.equal(run.code, 0, run.stderr);
  for (const name of ['index.html', 'metrics.json', 'claims.md'])
    assert.ok(existsSync(join(out, name)), name);
});

test('a report file the lab cannot write is an error naming --out and that file', async () => {
  const out = scratch();
  mkdirSync(join(out, 'index.html'));
  const run = await cli(...QUICK_LAB, '--out', out);
  assert.equal(run.code, 1);
  assert.ok(
    run.stderr.endsWith(`losskit: --out ${join(out, 'index.html')}: cannot write it (it is a folder)\n`),
    run.stderr,
  );
});

test('lab --help says that --out creates only the last folder', async () => {
  const { stdout } = await cli('lab', '--help');
  assert.ok(
    stdout.replace(/\s+/g, ' ').includes('created if missing, but its parent folder must exist'),
    stdout,
  );
});
