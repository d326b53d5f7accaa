// Builds the playground into plain files: index.html, style.css, main.js (the page) and
// worker.js (training), with losskit bundled from its TypeScript sources by esbuild.
// Usage: node packages/playground/build.mjs [--outdir DIR] [--minify]   (default DIR: packages/playground/dist)
import { copyFileSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = fileURLToPath(new URL('.', import.meta.url));
const core = resolve(here, '../losskit/src/index.ts');

/** `losskit` resolves to the core's sources (one copy, no build of the core needed). */
const losskitSource = {
  name: 'losskit-source',
  setup(b) {
    b.onResolve({ filter: /^losskit$/ }, () => ({ path: core }));
  },
};

/** Builds into `outdir`; returns the files written with their sizes (bytes, gzip bytes). */
export async function buildPlayground(outdir = join(here, 'dist'), { minify = true } = {}) {
  mkdirSync(outdir, { recursive: true });
  const common = {
    bundle: true,
    minify,
    target: 'es2022',
    platform: 'browser',
    plugins: [losskitSource],
    logLevel: 'warning',
    legalComments: 'none',
  };
  await build({
    ...common,
    entryPoints: [join(here, 'src/main.ts')],
    outfile: join(outdir, 'main.js'),
    format: 'esm',
  });
  await build({
    ...common,
    entryPoints: [join(here, 'src/worker.ts')],
    outfile: join(outdir, 'worker.js'),
    format: 'iife',
  });
  for (const file of ['index.html', 'style.css']) copyFileSync(join(here, file), join(outdir, file));
  return ['index.html', 'style.css', 'main.js', 'worker.js'].map((file) => {
    const path = join(outdir, file);
    return { file, bytes: statSync(path).size, gzip: gzipSync(readFileSync(path)).length };
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const flag = args.indexOf('--outdir');
  const outdir = flag === -1 ? join(here, 'dist') : resolve(args[flag + 1]);
  const files = await buildPlayground(outdir, { minify: !args.includes('--no-minify') });
  const total = files.reduce((s, f) => s + f.gzip, 0);
  for (const f of files)
    console.log(
      `${f.file.padEnd(12)} ${String(f.bytes).padStart(8)} B  ${String(f.gzip).padStart(7)} B gzip`,
    );
  console.log(`playground built in ${outdir} (${(total / 1024).toFixed(1)} KiB gzip)`);
}
