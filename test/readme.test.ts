// The README's TypeScript examples are run as written, and every value that a line's comment
// promises (`huber(...).item(); // 2.25`) is checked to the digits the comment shows. A README
// number that the code no longer produces fails here.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';
import {
  type CheckedLine,
  type ReadmeBlock,
  checkPromisedValue,
  instrumentBlock,
  readmeBlocks,
} from './helpers/readme.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const coreEntry = pathToFileURL(
  join(new URL('../packages/losskit/src/index.js', import.meta.url).pathname),
).href;

/** Transpiles one instrumented block and runs it as an ES module; returns the lines it checked. */
async function runBlock(block: ReadmeBlock, dir: string): Promise<CheckedLine[]> {
  const { source, promised } = instrumentBlock(block, coreEntry);
  const js = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
  }).outputText;
  const file = join(dir, `readme-block-${block.startLine}.mjs`);
  writeFileSync(file, js);
  const seen: CheckedLine[] = [];
  const globals = globalThis as { __readmeExpect?: (value: unknown, line: number) => void };
  globals.__readmeExpect = (value, line) => {
    const comment = promised.get(line);
    assert.ok(comment !== undefined, `README line ${line}: no promised value recorded`);
    seen.push(checkPromisedValue(value, comment, line));
  };
  try {
    await import(pathToFileURL(file).href);
  } finally {
    delete globals.__readmeExpect;
  }
  assert.equal(
    seen.length,
    promised.size,
    `README block at line ${block.startLine}: some promised values were not reached`,
  );
  return seen;
}

test('every value that a README TypeScript example promises in a comment is what the code returns', async () => {
  const blocks = readmeBlocks(readme, 'ts');
  assert.ok(blocks.length >= 3, `expected the losses, examples and training blocks, found ${blocks.length}`);
  const dir = await mkdtemp(join(tmpdir(), 'losskit-readme-'));
  try {
    let checked = 0;
    for (const block of blocks) checked += (await runBlock(block, dir)).length;
    // The losses intro (2), the family examples (12) and the training examples (2) at least.
    assert.ok(checked >= 16, `only ${checked} README values were checked`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a README comment whose value the code does not produce is caught', () => {
  assert.throws(() => checkPromisedValue(2.25, '2.26 (wrong)', 1), /README line 1/);
  assert.throws(() => checkPromisedValue([0.1, 0.2], '[0.1, 0.3]', 2), /README line 2/);
  assert.throws(() => checkPromisedValue([0.1, 0.2], '[0.1]', 3), /README line 3/);
  assert.doesNotThrow(() => checkPromisedValue(-0.16666, '-0.1667', 4));
  assert.doesNotThrow(() => checkPromisedValue(0.304756123, '0.304756 (logits)', 5));
});

test('the README npm commands name scripts that exist', () => {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    scripts: Record<string, string>;
  };
  const commands = [...readme.matchAll(/npm run ([a-z][\w:-]*)/g)].map((m) => m[1]);
  assert.ok(commands.includes('lab'), 'the README names `npm run lab`');
  for (const name of commands)
    assert.ok(name in pkg.scripts, `README: npm run ${name}: no such script in package.json`);
  const firstLines = readme.split('\n').slice(0, 8).join('\n');
  assert.match(firstLines, /npm ci && npm run lab/);
  assert.match(firstLines, /npm ci && npm test/);
});

test('every `npx losskit` command in the README names a real subcommand and real flags', async () => {
  const { cli } = await import('./lab/cli-capture.js');
  const commands = readmeBlocks(readme, 'sh')
    .flatMap((block) => block.lines)
    .map((line) => line.split('#')[0].trim())
    .filter((line) => line.startsWith('npx losskit '));
  assert.ok(commands.length >= 5, `expected the CLI examples, found ${commands.length}`);
  for (const command of commands) {
    const [subcommand, ...args] = command.slice('npx losskit '.length).split(/\s+/);
    const help = await cli(subcommand, '--help');
    assert.equal(help.code, 0, `README: losskit ${subcommand} --help failed: ${help.stderr}`);
    for (const flag of args.filter((a) => a.startsWith('--'))) {
      assert.ok(help.stdout.includes(flag), `README: losskit ${subcommand} has no flag ${flag}`);
    }
  }
  // The two that need no files run as written.
  for (const command of commands.filter((c) => / (recommend|explain) /.test(c))) {
    const run = await cli(...command.slice('npx losskit '.length).split(/\s+/));
    assert.equal(run.code, 0, `README: ${command} failed: ${run.stderr}`);
  }
});

test("the README's lab table is the claims.md of the recorded reference run, and names today's experiments and claims", async () => {
  const { experiments } = await import('../packages/lab/src/lab/index.js');
  const reference = readFileSync(
    new URL('../../docs/lab-reference/claims.md', import.meta.url),
    'utf8',
  ).trim();
  assert.ok(readme.includes(reference), 'README.md: the lab table differs from docs/lab-reference/claims.md');
  const rows = reference.split('\n').slice(2);
  assert.equal(rows.length, experiments.length, 'one row per experiment');
  const cellText = (cell: string) => cell.replace(/\\\|/g, '|').trim();
  experiments.forEach((experiment, i) => {
    const cells = rows[i]
      .split(/(?<!\\)\|/)
      .slice(1, -1)
      .map(cellText);
    assert.equal(cells[0], experiment.title, `row ${i + 1}: title`);
    assert.equal(
      cells[1],
      experiment.claim,
      `row ${i + 1} (${experiment.name}): the claim changed since the reference run`,
    );
    assert.match(cells[2], /^\*\*(held|did not hold|inconclusive)\*\*/, `row ${i + 1}: result`);
  });
});

test("the README's counts are the registry's and the fixtures': losses, reference cases, experiments", async () => {
  const { lossList } = await import('../packages/losskit/src/index.js');
  const { oracleCases } = await import('./helpers/oracle.js');
  const { experiments } = await import('../packages/lab/src/lab/index.js');
  const losses = readme.match(/the (\d+) registry losses/);
  assert.ok(losses, 'the README says how many registry losses there are');
  assert.equal(Number(losses[1]), lossList.length);
  const cases = readme.match(/Every one of the ([\d,]+) PyTorch \(float64\) reference cases/);
  assert.ok(cases, 'the README says how many PyTorch reference cases the losses pass');
  assert.equal(Number(cases[1].replace(',', '')), oracleCases.length);
  const listed = readme.match(/Experiments \(`losskit lab --list`\): ([^.]*)\./);
  assert.ok(listed, 'the README lists the experiments');
  assert.deepEqual(
    [...listed[1].matchAll(/`([a-z-]+)`/g)].map((m) => m[1]),
    experiments.map((e: { name: string }) => e.name),
  );
});

test("every number the README's guide section quotes from the lab is a number of the guide's lab evidence", async () => {
  const { labEvidence } = await import('../packages/losskit/src/guide/index.js');
  const start = readme.indexOf('The same guide is a library function');
  const end = readme.indexOf('`explain` (and `fit`', start);
  assert.ok(start > 0 && end > start, 'the guide paragraph is where the test expects it');
  const quoted = [...readme.slice(start, end).matchAll(/\b0\.\d+\b/g)].map((m) => Number(m[0]));
  assert.ok(quoted.length >= 8, `found ${quoted.length} numbers`);
  const measured = new Set(
    Object.values(labEvidence).flatMap((e) =>
      Object.values(e.variants).flatMap((v) => Object.values(v.metrics)),
    ),
  );
  // Options quoted beside the numbers (α = 0.75, 0.25) are not measurements.
  const options = new Set([0.75, 0.25]);
  for (const n of quoted)
    assert.ok(measured.has(n) || options.has(n), `README quotes ${n}, which the lab evidence does not hold`);
});
