// The published shape of the two packages. The core (`packages/losskit`, published as `losskit`)
// has no dependencies and imports nothing from Node, so it runs in a browser and installing it
// adds one package; the lab, its report and the `losskit` command are `@losskit/lab`
// (`packages/lab`), which reaches the core only through its public entry. npm test builds both
// packages before these tests run.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';

const repoRoot = new URL('../../', import.meta.url).pathname;
const corePath = join(repoRoot, 'packages/losskit');
const labPath = join(repoRoot, 'packages/lab');
const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8'));
const corePkg = readJson(join(corePath, 'package.json'));
const labPkg = readJson(join(labPath, 'package.json'));

/** The .ts files under `dir` (recursively), tests excluded. */
function sources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) sources(path, out);
    else if (name.endsWith('.ts') && !name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

test('the built core, loaded through the workspace link and its exports, has the registry and the losses', async () => {
  const entry = join(repoRoot, 'node_modules/losskit', corePkg.exports['.'].import);
  const pkg = (await import(pathToFileURL(entry).href)) as typeof import('../packages/losskit/src/index.js');
  assert.equal(typeof pkg.huber, 'function');
  assert.equal(typeof pkg.losses.mse.valueAndGrad, 'function');
  assert.ok(pkg.huber([0, 0], [0.5, 3], { delta: 1 }).item() > 0);
  assert.equal('runLab' in pkg, false, 'lab symbols live in @losskit/lab, not in the core');
});

test('the core package.json: ESM, side-effect free, exports to dist, no dependencies, a LICENSE', () => {
  assert.equal(corePkg.name, 'losskit');
  assert.equal(corePkg.type, 'module');
  assert.equal(corePkg.sideEffects, false);
  assert.equal(corePkg.exports['.'].import, './dist/index.js');
  assert.equal(corePkg.exports['./tfjs'].import, './dist/adapters/tfjs/index.js');
  assert.equal(corePkg.dependencies, undefined);
  assert.equal(corePkg.bin, undefined, 'the command belongs to @losskit/lab');
  assert.deepEqual(Object.keys(corePkg.peerDependencies), ['@tensorflow/tfjs-core']);
  assert.equal(corePkg.peerDependenciesMeta['@tensorflow/tfjs-core'].optional, true);
  assert.ok(corePkg.files.includes('LICENSE'));
  const license = readFileSync(join(repoRoot, 'LICENSE'), 'utf8');
  assert.match(license, /^MIT License/);
  for (const dir of [corePath, labPath]) assert.equal(readFileSync(join(dir, 'LICENSE'), 'utf8'), license, dir);
});

test('the lab package provides the losskit command and depends on the core at its version', () => {
  assert.equal(labPkg.name, '@losskit/lab');
  assert.equal(labPkg.bin.losskit, './bin/losskit.js');
  assert.equal(labPkg.dependencies.losskit, `^${corePkg.version}`);
  const root = readJson(join(repoRoot, 'package.json'));
  assert.equal(root.private, true);
  assert.deepEqual(root.workspaces, ['packages/losskit', 'packages/lab', 'packages/playground']);
  assert.equal(root.dependencies, undefined, 'the libraries of the CLI are the lab package’s');
});

test('the core imports nothing from node: and nothing from the lab, so it runs in a browser', () => {
  const offenders = sources(join(corePath, 'src'))
    .filter((path) => {
      const text = readFileSync(path, 'utf8');
      return /from\s+['"]node:|import\(['"]node:|require\(|from\s+['"]@losskit\/lab|from\s+['"][^'"]*packages\/lab/.test(text);
    });
  assert.deepEqual(offenders, []);
});

test('the lab reaches the core only through its public entry (`losskit`), never by a relative path', () => {
  const offenders = sources(join(labPath, 'src')).filter((path) =>
    /from\s+['"](\.\.\/)+(tensor|losses|autograd|nn|optim|train|guide|kernels|adapters)\//.test(
      readFileSync(path, 'utf8'),
    ),
  );
  assert.deepEqual(offenders, []);
});

test('npm pack of the core: no dependencies, a LICENSE and README, only dist; installing it adds one package', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'losskit-pack-'));
  const packed = spawnSync('npm', ['pack', '--json', '--pack-destination', scratch], {
    cwd: corePath,
    encoding: 'utf8',
  });
  assert.equal(packed.status, 0, packed.stderr);
  const [info] = JSON.parse(packed.stdout) as { filename: string; files: { path: string }[] }[];
  const files = info.files.map((f) => f.path);
  for (const name of ['package.json', 'LICENSE', 'README.md', 'CHANGELOG.md', 'dist/index.js', 'dist/index.d.ts'])
    assert.ok(files.includes(name), `${name} is in the tarball`);
  assert.deepEqual(
    files.filter((f) => !f.startsWith('dist/') && !['package.json', 'LICENSE', 'README.md', 'CHANGELOG.md'].includes(f)),
    [],
  );
  assert.equal(
    files.some((f) => f.startsWith('dist/cli/') || f.startsWith('dist/lab/') || f.endsWith('.test.js')),
    false,
  );

  const project = join(scratch, 'project');
  spawnSync('mkdir', [project]);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'empty-project', version: '1.0.0' }));
  const installed = spawnSync(
    'npm',
    ['install', '--offline', '--no-audit', '--no-fund', '--json', join(scratch, info.filename)],
    { cwd: project, encoding: 'utf8' },
  );
  assert.equal(installed.status, 0, installed.stderr);
  assert.equal(JSON.parse(installed.stdout).added, 1, 'npm install of the tarball adds one package');
  const inside = readdirSync(join(project, 'node_modules')).filter((n) => !n.startsWith('.'));
  assert.deepEqual(inside, ['losskit']);
  const manifest = readJson(join(project, 'node_modules/losskit/package.json'));
  assert.equal(manifest.dependencies, undefined);
  const used = spawnSync(
    process.execPath,
    ['--input-type=module', '-e', "import { mse } from 'losskit'; console.log(mse([1, 2], [1, 4]).item());"],
    { cwd: project, encoding: 'utf8' },
  );
  assert.equal(used.status, 0, used.stderr);
  assert.equal(used.stdout.trim(), '2');
});
