// Makes the test build (.build/) resolve `losskit`, `losskit/tfjs` and `@losskit/lab` to its own
// compiled sources, so that a test, the lab it drives and the core they share load one copy of
// each module (one `Tensor` class, one `LossInputError`). Without it, `losskit` would resolve
// through the workspace link to packages/losskit/dist, a second copy of the core.
// Usage: node scripts/link-build.mjs [--dir .build]
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const args = process.argv.slice(2);
const flag = args.indexOf('--dir');
const dir = resolve(flag === -1 ? '.build' : args[flag + 1]);
const root = new URL('..', import.meta.url).pathname;

const packages = [
  {
    name: 'losskit',
    folder: 'packages/losskit',
    sideEffects: false, // as the real package.json says; the tree-shaking test relies on it
    exports: { '.': './src/index.js', './tfjs': './src/adapters/tfjs/index.js', './package.json': './package.json' },
  },
  { name: '@losskit/lab', folder: 'packages/lab', exports: { '.': './src/index.js', './package.json': './package.json' } },
];

for (const pkg of packages) {
  const compiled = join(dir, pkg.folder);
  mkdirSync(compiled, { recursive: true });
  const { version } = JSON.parse(readFileSync(join(root, pkg.folder, 'package.json'), 'utf8'));
  const manifest = { name: pkg.name, version, type: 'module', sideEffects: pkg.sideEffects, exports: pkg.exports };
  writeFileSync(join(compiled, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  const link = join(dir, 'node_modules', pkg.name);
  mkdirSync(join(link, '..'), { recursive: true });
  rmSync(link, { recursive: true, force: true });
  symlinkSync(compiled, link, 'dir');
}
