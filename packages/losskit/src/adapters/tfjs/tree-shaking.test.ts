// Importing one loss from `losskit/tfjs` bundles that loss, not the catalogue: a bundler
// (esbuild: minified, tree-shaken, TF.js external) keeps the adapter loss, its core entry and the
// core's call pipeline, and leaves out the registry and every other family.
import assert from 'node:assert/strict';
import { dirname, sep } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { build, type Metafile } from 'esbuild';

/** This test's compiled folder holds the compiled adapter entry, `index.js`. */
const here = dirname(fileURLToPath(import.meta.url));

/**
 * Minified bytes of `import { huber }` alone. Measured at 33.5 KB after the renovation (127.7 KB
 * before, when every adapter loss looked its core entry up in the registry); the bound leaves
 * room for the core pipeline to grow, and fails long before the registry comes back.
 */
const HUBER_BOUND_BYTES = 45_000;

async function bundle(names: string): Promise<{ bytes: number; inputs: string[] }> {
  const result = await build({
    stdin: { contents: `export { ${names} } from './index.js';`, resolveDir: here, loader: 'js' },
    bundle: true,
    minify: true,
    treeShaking: true,
    format: 'esm',
    platform: 'browser',
    external: ['@tensorflow/*'],
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const [output] = Object.values((result.metafile as Metafile).outputs);
  // Modules that contribute code (re-export-only modules bundle to 0 bytes).
  const inputs = Object.entries(output.inputs)
    .filter(([, v]) => v.bytesInOutput > 0)
    .map(([path]) => path.split(sep).join('/'));
  return { bytes: result.outputFiles[0].contents.length, inputs };
}

test('importing huber from the adapter bundles neither the registry nor other families', async () => {
  const { bytes, inputs } = await bundle('huber');
  const unwanted = inputs.filter(
    (path) =>
      path.endsWith('/losses/registry.js') ||
      /\/losses\/(classification|ranking|sequence|segmentation|gan|rl|autoencoder)\//.test(path) ||
      /\/adapters\/tfjs\/(classification|ranking|sequence|segmentation|gan|rl|autoencoder|compile|registry)\.js$/.test(
        path,
      ),
  );
  assert.deepEqual(unwanted, [], `huber's bundle pulls in ${unwanted.join(', ')}`);
  assert.ok(
    inputs.some((path) => path.endsWith('/losses/regression/huber.js')),
    'the core huber entry is bundled',
  );
  assert.ok(
    bytes < HUBER_BOUND_BYTES,
    `huber alone bundles to ${bytes} bytes minified, above the bound of ${HUBER_BOUND_BYTES}`,
  );
});

test('tfLosses, which lists every loss, still bundles every family', async () => {
  const { inputs } = await bundle('tfLosses');
  for (const family of ['regression', 'classification', 'sequence', 'autoencoder'])
    assert.ok(
      inputs.some((path) => path.includes(`/losses/${family}/`)),
      `tfLosses' bundle lacks the ${family} family`,
    );
});
