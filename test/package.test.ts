// The published shape of the package: `import 'losskit'` by name resolves through package.json
// `exports` to the built dist/ (npm test builds it first), and the core imports nothing from node.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

const root = new URL('../../', import.meta.url);

test('importing losskit by name gives the built package with its registry and loss functions', async () => {
  const name = 'losskit'; // a variable, so the type-check does not need dist/ to exist yet
  const pkg = (await import(name)) as typeof import('../src/index.js');
  assert.equal(typeof pkg.huber, 'function');
  assert.equal(typeof pkg.losses.mse.valueAndGrad, 'function');
  assert.ok(pkg.huber([0, 0], [0.5, 3], { delta: 1 }).item() > 0);
});

test('package.json is ESM, side-effect free, and maps its exports to dist', () => {
  const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8'));
  assert.equal(pkg.type, 'module');
  assert.equal(pkg.sideEffects, false);
  assert.equal(pkg.exports['.'].import, './dist/index.js');
  assert.deepEqual(Object.keys(pkg.dependencies ?? {}).filter((d: string) => d.startsWith('@tensorflow')), []);
});

test('the core (src outside src/cli and test helpers) imports no node: module, so it runs in a browser', () => {
  const offenders: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) {
        if (name !== 'cli' && name !== 'test-helpers') walk(path);
      } else if (name.endsWith('.ts') && !name.endsWith('.test.ts')) {
        const text = readFileSync(path, 'utf8');
        if (/from\s+['"]node:|import\(['"]node:|require\(/.test(text)) offenders.push(path);
      }
    }
  };
  walk(new URL('src', root).pathname);
  assert.deepEqual(offenders, []);
});
