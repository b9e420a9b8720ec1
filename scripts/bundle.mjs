// After tsc: bundles each entry point (the CLI and the two worker threads) into one file
// in place of tsc's output, with esbuild. Node 20 loads the ~400 small ES modules of the
// CLI's dependencies (unified, micromark, ...) one by one, resolving, reading and linking
// each: about 0.3 s of every start, and again in every worker. One file per entry loads
// in a fraction of that. tsc's other files stay in dist/ (the benchmark imports them).
//
// Each module's `import.meta.url` is rewritten to the URL its tsc output had (relative to
// the entry's folder), so paths such as '../../templates/' still resolve. The CLI is split
// where it imports a command's modules with import() (`build`'s analysis and renderer,
// ...): those chunks are written next to the entry (dist/cli-*.js), in the same folder,
// so the rewritten URLs hold there too, and `ce-report ingest` compiles only what it runs
// (~0.9 of 2.4 MB). The workers stay one file each.
// vega, vega-lite and ajv stay outside: they are loaded with require (CommonJS) on purpose.
import { readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { build } from 'esbuild';

const ENTRIES = ['dist/cli.js', 'dist/render/chart-worker.js', 'dist/ingest/k6/ndjson-worker.js'];
const dist = path.resolve('dist');

// Chunks of an earlier build (their names carry a hash of their content).
for (const f of await readdir(dist)) if (/^cli-[\w-]+-[A-Z0-9]{8}\.js$/.test(f)) await rm(path.join(dist, f));

for (const entry of ENTRIES) {
  const entryDir = path.dirname(path.resolve(entry));
  const split = entry === 'dist/cli.js';
  await build({
    entryPoints: [entry],
    ...(split ? { outdir: entryDir, splitting: true, chunkNames: 'cli-[name]-[hash]', entryNames: '[name]' } : { outfile: entry }),
    allowOverwrite: true,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'warning',
    // Bundled CommonJS (papaparse, handlebars, ...) may require Node's built-ins.
    banner: { js: "import { createRequire as __ceCreateRequire } from 'node:module'; const require = __ceCreateRequire(import.meta.url);" },
    plugins: [
      {
        name: 'keep-import-meta-url',
        setup(b) {
          b.onLoad({ filter: /\.js$/ }, async (args) => {
            if (!args.path.startsWith(dist + path.sep)) return undefined;
            const text = await readFile(args.path, 'utf8');
            if (!text.includes('import.meta.url')) return { contents: text, loader: 'js' };
            const rel = './' + path.relative(entryDir, args.path).split(path.sep).join('/');
            return { contents: text.replaceAll('import.meta.url', `new URL(${JSON.stringify(rel)}, import.meta.url).href`), loader: 'js', resolveDir: path.dirname(args.path) };
          });
        },
      },
    ],
  });
}
