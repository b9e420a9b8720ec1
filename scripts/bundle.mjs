// After tsc: bundles each entry point (the CLI and the two worker threads) into one file
// in place of tsc's output, with esbuild. Node 20 loads the ~400 small ES modules of the
// CLI's dependencies (unified, micromark, ...) one by one, resolving, reading and linking
// each: about 0.3 s of every start, and again in every worker. One file per entry loads
// in a fraction of that. tsc's other files stay in dist/ (the benchmark imports them).
//
// No code splitting: every module of an entry ends up in the entry's own file, at the
// entry's path, so each module's `import.meta.url` is rewritten to the URL its tsc output
// had (relative to the entry), and paths such as '../../templates/' still resolve.
// vega, vega-lite and ajv stay outside: they are loaded with require (CommonJS) on purpose.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { build } from 'esbuild';

const ENTRIES = ['dist/cli.js', 'dist/render/chart-worker.js', 'dist/ingest/k6/ndjson-worker.js'];
const dist = path.resolve('dist');

for (const entry of ENTRIES) {
  const entryDir = path.dirname(path.resolve(entry));
  await build({
    entryPoints: [entry],
    outfile: entry,
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
