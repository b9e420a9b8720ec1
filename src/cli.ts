#!/usr/bin/env node
// The ce-report command line. Exit codes: 0 success, 1 bad input / config / usage,
// 2 an experiment verdict FAILED and --fail-on-verdict was given, 3 a run regressed
// against --baseline and --fail-on-regression was given (2 wins when both apply), 70 internal error.
// First: tunes V8 before the rest of the command's code runs.
import './v8-tuning.js';
import './early-start.js';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { Command, InvalidArgumentError, Option } from 'commander';
import { ingestFromOptions } from './ingest-runs.js';
import { isUserFacingError, oneLine, UsageError } from './ingest/errors.js';
import { formatBytes } from './ingest/read.js';
import { formatNames, INGESTERS } from './ingest/registry.js';
import { SCHEMA_VERSION, type Model } from './model/types.js';
import { generatorInfo } from './version.js';
import { createProgress } from './progress.js';
import { printWarnings } from './cli-warnings.js';
import { describeFsError, isFileSystemError } from './fs-errors.js';

export const EXIT = { ok: 0, input: 1, verdict: 2, regression: 3, internal: 70 } as const;

function collectLabel(value: string, previous: Record<string, string> | undefined): Record<string, string> {
  const m = /^([^=\s]+)=(.*)$/.exec(value);
  if (!m) throw new InvalidArgumentError(`expected key=value, got "${value}"`);
  return { ...(previous ?? {}), [m[1]!]: m[2]! };
}

function positiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`expected a number above 0, got "${value}"`);
  return n;
}

function nonNegativeNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError(`expected a number of 0 or more, got "${value}"`);
  return n;
}

interface GlobalFlags {
  quiet?: boolean;
  verbose?: boolean;
  progress?: boolean;
}

function openInBrowser(file: string): void {
  const cmd = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'cmd' : 'xdg-open';
  const args = process.platform === 'win32' ? ['/c', 'start', '', file] : [file];
  try {
    const child = spawn(cmd, args, { detached: true, stdio: 'ignore' });
    child.on('error', () => process.stderr.write(`could not open a browser; open ${file} yourself\n`));
    child.unref();
  } catch {
    process.stderr.write(`could not open a browser; open ${file} yourself\n`);
  }
}

function stripHistograms(model: Model): Model {
  return {
    ...model,
    runs: model.runs.map((r) => ({
      ...r,
      summary: { ...r.summary, histogram: undefined },
      endpoints: r.endpoints.map((e) => ({ ...e, histogram: undefined })),
      timeline: r.timeline.map((p) => ({ ...p, histogram: undefined })),
    })),
  };
}

export function makeProgram(): Command {
  const program = new Command();
  program
    .name('ce-report')
    .description('Turn load-test artifacts (k6, Locust, bombardier, Prometheus) into a static report site with conclusions.')
    .version(generatorInfo().version, '-V, --version')
    .option('-q, --quiet', 'print nothing but errors')
    .option('-v, --verbose', 'print each file read, its format, and every warning (by default: the first five and a count)')
    .option('--no-progress', 'never show a progress bar (it is shown only on a terminal anyway)')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ outputError: (str, write) => write(str) });

  program
    .command('build')
    .description('build the report site (default: from ./ce-report.config.json into ./site)')
    .argument('[input...]', 'files, folders or globs of load-test output (default: the config\'s runs); studies are inferred from them unless --config names a config')
    .option('-c, --config <file>', 'config file (default: ./ce-report.config.json when no INPUT is given); with INPUTs, its studies and settings apply to them')
    .option('-o, --out <dir>', 'output folder (default: the config\'s "out", else ./site)')
    .option('-l, --label <key=value>', 'add a label to every run (repeatable)', collectLabel)
    .addOption(new Option('-f, --format <name>', 'force the input format instead of detecting it').choices(formatNames()))
    .option('-t, --title <title>', 'site title (default: the config\'s "title")')
    .option('--fail-on-verdict', 'exit with code 2 when an experiment verdict is FAIL (for CI gating)')
    .option('--offline', 'use the Prometheus responses saved by the previous build instead of querying the server')
    .option('--timestamp', 'print the build time in the site (off by default so builds are byte-identical)')
    .option('--baseline <path-or-url>', 'compare each run with the same run of a site built earlier (its folder, or its published http(s) address), and carry its build history forward')
    .option('--fail-on-regression', 'exit with code 3 when a run regressed against --baseline (for CI gating)')
    .option('--history', 'keep the build history (data/history.json, history.html) without a --baseline: the first build of a series')
    .option('--site-url <url>', 'where the site is published (https://…): report.md links its studies, runs and charts there')
    .option('--open', 'open the built site in a browser')
    .option('--no-cache', 'read every input and draw every chart again instead of reusing the cache (big unchanged inputs, rendered charts)')
    .addHelpText(
      'after',
      `
Examples:
  $ ce-report build                                  # ./ce-report.config.json → ./site
  $ ce-report build results/ --out public            # every run found under results/, studies inferred
  $ ce-report build results/ --config study.json     # the same runs, the studies of study.json
  $ ce-report build 'runs/replicas=*/' --label service=api
  $ ce-report build --config ci.config.json --fail-on-verdict
  $ ce-report build --site-url https://me.github.io/perf   # report.md links to the published site
  $ ce-report build --baseline https://me.github.io/perf --fail-on-regression   # CI: compare with the published site`,
    )
    .action(async (inputs: string[], o: Record<string, unknown>, cmd: Command) => {
      const flags = cmd.optsWithGlobals() as GlobalFlags;
      if (o.failOnRegression && o.baseline === undefined) throw new UsageError('--fail-on-regression needs --baseline (the site to compare with)');
      const progress = createProgress(flags);
      // Loaded here, as every command's own modules: `ce-report ingest` need not compile the analysis and the renderer.
      const { build } = await import('./build.js');
      const result = await build({
        inputs,
        config: o.config as string | undefined,
        out: o.out as string | undefined,
        labels: o.label as Record<string, string>,
        format: o.format as string | undefined,
        title: o.title as string | undefined,
        offline: !!o.offline,
        timestamp: !!o.timestamp,
        siteUrl: o.siteUrl as string | undefined,
        baseline: o.baseline as string | undefined,
        history: !!o.history,
        cache: o.cache !== false,
        onProgress: progress.update,
        onFile: flags.verbose ? (f, fmt) => process.stderr.write(`${fmt ?? 'skipped (unknown format)'}: ${f}\n`) : undefined,
        log: flags.verbose ? (line) => process.stderr.write(line + '\n') : undefined,
      }).finally(progress.stop);
      const rel = path.relative(process.cwd(), result.outDir) || '.';
      if (!flags.quiet) for (const note of result.notes) process.stderr.write(`note: ${note}\n`);
      printWarnings(result.warnings, result.analysis.warnings, flags, `${rel}/index.html`);
      const studies = result.analysis.studies;
      const warned = result.warnings.length + result.analysis.warnings.length;
      if (!flags.quiet) {
        process.stdout.write(`Built ${rel}/ — ${result.model.runs.length} run(s), ${studies.length} stud${studies.length === 1 ? 'y' : 'ies'}, ${result.files} files, ${formatBytes(result.bytes)}${warned ? `, ${warned} warning${warned === 1 ? '' : 's'}` : ''}\n`);
        for (const s of studies) {
          const verdict = (s as { verdict?: string }).verdict;
          process.stdout.write(`  ${s.kind}: ${s.title}${verdict ? ` — ${verdict}` : ''}\n`);
        }
        if (result.comparison) {
          const c = result.comparison;
          process.stdout.write(`Against the baseline ${c.source}: ${c.verdict}${c.regressions > 0 ? ` in ${c.regressions} of ${c.runs.length} matched run(s)` : ` (${c.runs.length} matched run(s))`} — ${rel}/baseline.md\n`);
          for (const r of c.runs) if (r.verdict === 'REGRESSION') process.stdout.write(`  REGRESSION: ${oneLine(r.runId)} (${r.metrics.filter((m) => m.verdict === 'REGRESSION').map((m) => m.metric).join(', ')})\n`);
          if (c.unmatched.current.length > 0) process.stdout.write(`  not in the baseline: ${c.unmatched.current.map((x) => oneLine(x)).join(', ')}\n`);
          if (c.unmatched.baseline.length > 0) process.stdout.write(`  baseline runs not built: ${c.unmatched.baseline.map((x) => oneLine(x)).join(', ')}\n`);
        }
        process.stdout.write(`Open ${rel}/index.html, or publish ${rel}/ to GitHub Pages.\n`);
      }
      if (o.open) openInBrowser(path.join(result.outDir, 'index.html'));
      const failed = studies.filter((s) => (s as { verdict?: string }).verdict === 'FAIL');
      if (o.failOnVerdict && failed.length > 0) {
        process.stderr.write(`verdict FAIL: ${failed.map((s) => s.id).join(', ')}\n`);
        process.exitCode = EXIT.verdict;
      }
      if (o.failOnRegression && result.comparison?.verdict === 'REGRESSION') {
        process.stderr.write(`regression against the baseline: ${result.comparison.runs.filter((r) => r.verdict === 'REGRESSION').map((r) => oneLine(r.runId)).join(', ')}\n`);
        if (process.exitCode !== EXIT.verdict) process.exitCode = EXIT.regression;
      }
    });

  program
    .command('ingest')
    .description('read load-test output and print the normalized run model as JSON')
    .argument('<input...>', 'files, folders or globs')
    .option('-l, --label <key=value>', 'add a label to every run (repeatable)', collectLabel)
    .addOption(new Option('-f, --format <name>', 'force the input format instead of detecting it').choices(formatNames()))
    .option('-o, --output <file>', 'write the JSON to a file instead of stdout')
    .option('--no-histograms', 'leave out the encoded HDR histograms (smaller output)')
    .option('--compact', 'one-line JSON')
    .option('--no-cache', 'read every input again instead of reusing the cache of big unchanged inputs')
    .addHelpText(
      'after',
      `
Examples:
  $ ce-report ingest k6-out.ndjson.gz > model.json
  $ ce-report ingest results/locust/ --label workers=4 -o model.json
  $ ce-report ingest run.txt --format bombardier-text --no-histograms`,
    )
    .action(async (inputs: string[], o: Record<string, unknown>, cmd: Command) => {
      const flags = cmd.optsWithGlobals() as GlobalFlags;
      const progress = createProgress(flags);
      const { runs, warnings } = await ingestFromOptions({
        inputs,
        labels: o.label as Record<string, string>,
        format: o.format as string | undefined,
        cache: o.cache !== false,
        onProgress: progress.update,
        onFile: flags.verbose ? (f, fmt) => process.stderr.write(`${fmt ?? 'skipped (unknown format)'}: ${f}\n`) : undefined,
      }).finally(progress.stop);
      let model: Model = { schemaVersion: SCHEMA_VERSION, generator: generatorInfo(), runs, warnings };
      // Loaded here: ajv is only needed by `ingest`.
      const { validateModel } = await import('./model/schema.js');
      const problems = validateModel(model);
      if (problems.length > 0) throw new Error(`internal: the model does not match its schema: ${problems.join('; ')}`);
      if (o.histograms === false) model = stripHistograms(model);
      const json = JSON.stringify(model, null, o.compact ? undefined : 2) + '\n';
      printWarnings(warnings, [], flags);
      if (o.output) await fs.writeFile(o.output as string, json).catch((e: NodeJS.ErrnoException) => Promise.reject(isFileSystemError(e) ? new UsageError(describeFsError(e, o.output as string)) : e));
      else await writeStdout(json);
    });

  program
    .command('embed')
    .description('replace <!-- ce-report:begin NAME --> … <!-- ce-report:end --> blocks in a Markdown file with tables from a built site')
    .argument('<file>', 'Markdown file to update in place (e.g. README.md)')
    .option('--from <dir>', 'built site folder to take the tables from', 'site')
    .option('--check', 'do not write; exit 1 when the file is out of date (for CI)')
    .option('--link-base <prefix>', 'prefix for links to charts and pages (default: relative path from the file to the site)')
    .addOption(new Option('--link-pages <kind>', 'link to the "md" pages (rendered by GitHub in the repository) or the "html" pages (the published site); default: html when --link-base is a URL, else md').choices(['md', 'html']))
    .addHelpText(
      'after',
      `
Names: "runs", "study-<id>", "study-<id>-chart", "run-<id>" (see <site>/embed/).
Examples:
  $ ce-report embed README.md
  $ ce-report embed docs/results.md --from public --check
  $ ce-report embed README.md --from public --link-base https://me.github.io/repo`,
    )
    .action(async (file: string, o: Record<string, unknown>, cmd: Command) => {
      const flags = cmd.optsWithGlobals() as GlobalFlags;
      const { embedCommand } = await import('./embed-command.js');
      const changed = await embedCommand(file, { from: o.from as string, check: !!o.check, linkBase: o.linkBase as string | undefined, linkPages: o.linkPages as 'md' | 'html' | undefined });
      if (o.check && changed) {
        process.stderr.write(`${file} is out of date: run ce-report embed ${file}\n`);
        process.exitCode = EXIT.input;
      } else if (!flags.quiet) {
        process.stdout.write(changed ? `Updated ${file}\n` : `${file} is up to date\n`);
      }
    });

  program
    .command('init')
    .description('write a commented starter ce-report.config.json from the inputs found')
    .argument('[input...]', 'files or folders to look in', ['.'])
    .option('-o, --output <file>', 'config file to write', 'ce-report.config.json')
    .option('--force', 'overwrite an existing config file')
    .addHelpText(
      'after',
      `
Examples:
  $ ce-report init results/
  $ ce-report init k6/ locust/ --output experiments.config.json`,
    )
    .action(async (inputs: string[], o: Record<string, unknown>, cmd: Command) => {
      const flags = cmd.optsWithGlobals() as GlobalFlags;
      const { initCommand } = await import('./init.js');
      const written = await initCommand(inputs, { output: o.output as string, force: !!o.force });
      printWarnings(written.warnings, [], flags);
      if (!flags.quiet) process.stdout.write(`Wrote ${written.file} with ${written.runs} run(s) and ${written.studies} stud${written.studies === 1 ? 'y' : 'ies'}. Edit it, then run: ce-report build${written.file === 'ce-report.config.json' ? '' : ' --config ' + written.file}\n`);
    });

  program
    .command('prom-save')
    .description('run a Prometheus range query over a run\'s time window and save the response with its query and unit (<name>.json + <name>.query.json)')
    .argument('<query>', 'the PromQL, e.g. histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket[30s])))')
    .option('--url <url>', 'Prometheus base URL', process.env.PROMETHEUS_URL ?? 'http://127.0.0.1:9090')
    .option('--run <dir>', 'the folder of one load-test run: the window is its start and end (padded), the files go to DIR/prometheus/')
    .option('--name <name>', 'names the series and the files (p95 → p95.json); default: the --output file\'s name')
    .option('--unit <unit>', 'unit of the values (s, ms, req/s, ratio, …); default: guessed from the query')
    .option('--start <time>', 'start of the range, unix seconds or RFC 3339 (instead of --run)')
    .option('--end <time>', 'end of the range, unix seconds or RFC 3339 (instead of --run)')
    .option('--step <seconds>', 'resolution (default: about 300 points over the range)', positiveNumber)
    .option('--padding <seconds>', 'seconds added before and after the run with --run (default 5)', nonNegativeNumber)
    .option('--timeout <seconds>', 'seconds to wait for Prometheus (default 10)', positiveNumber)
    .option('-o, --output <file>', 'response file to write (default with --run: DIR/prometheus/NAME.json)')
    .addHelpText(
      'after',
      `
Examples:
  $ ce-report prom-save --run results/replicas=3 --name p95 \\
      'histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket[30s])))'
  $ ce-report prom-save --url http://prom:9090 --run results/replicas=3 --name rps_by_status 'sum by (status) (rate(http_requests_total[30s]))'
  $ ce-report prom-save --start 2026-11-23T16:04:00Z --end 2026-11-23T16:06:00Z -o p99.json --unit s 'histogram_quantile(0.99, …)'`,
    )
    .action(async (query: string, o: Record<string, unknown>, cmd: Command) => {
      const flags = cmd.optsWithGlobals() as GlobalFlags;
      const { promSave } = await import('./prom-save.js');
      const r = await promSave({
        query,
        url: o.url as string,
        run: o.run as string | undefined,
        name: o.name as string | undefined,
        unit: o.unit as string | undefined,
        start: o.start as string | undefined,
        end: o.end as string | undefined,
        stepS: o.step as number | undefined,
        paddingS: o.padding as number | undefined,
        timeoutS: o.timeout as number | undefined,
        output: o.output as string | undefined,
      });
      if (!flags.quiet) for (const w of r.warnings) process.stderr.write(`warning: ${path.relative(process.cwd(), r.file)}: ${oneLine(w)}\n`);
      if (!flags.quiet) {
        const rel = (f: string) => path.relative(process.cwd(), f) || f;
        process.stdout.write(`Saved ${rel(r.file)} (${r.series} series, ${r.points} points${r.unit ? `, unit ${r.unit}` : ', no unit'}, step ${r.stepS} s) and ${rel(r.sidecar)}\n`);
      }
    });

  program
    .command('formats')
    .description('list the input formats ce-report reads')
    .action(() => {
      for (const i of INGESTERS) process.stdout.write(`${i.format.padEnd(20)} ${i.description}\n`);
    });

  return program;
}

function writeStdout(text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    process.stdout.write(text, (err) => (err ? reject(err) : resolve()));
  });
}

export async function main(argv: string[]): Promise<number> {
  const program = makeProgram();
  program.exitOverride();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (e) {
    const err = e as { code?: string; exitCode?: number; message?: string };
    if (err.code?.startsWith('commander.')) {
      // commander already printed help/version or the usage error.
      return err.exitCode === 0 ? EXIT.ok : EXIT.input;
    }
    if (isUserFacingError(e) || (e as Error)?.name === 'EmbedError') {
      process.stderr.write(`ce-report: ${(e as Error).message}\n`);
      return EXIT.input;
    }
    if ((e as NodeJS.ErrnoException).code === 'EPIPE') return EXIT.ok;
    if (isFileSystemError(e)) {
      process.stderr.write(`ce-report: ${oneLine(describeFsError(e))}\n`);
      return EXIT.input;
    }
    process.stderr.write(`ce-report: internal error: ${(e as Error)?.message ?? String(e)}\n`);
    if (process.env.CE_REPORT_DEBUG) process.stderr.write(String((e as Error)?.stack) + '\n');
    else process.stderr.write('(set CE_REPORT_DEBUG=1 for details, and please report this)\n');
    return EXIT.internal;
  }
}

// Run when executed directly (not when imported by tests).
const invoked = process.argv[1] ? path.resolve(process.argv[1]) : '';
if (invoked && (invoked.endsWith(`${path.sep}cli.js`) || invoked.endsWith(`${path.sep}ce-report`))) {
  // A reader that stops early (`ce-report formats | head -1`) closes the pipe: stop quietly, no stack trace.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') process.exit(process.exitCode ?? EXIT.ok);
      throw e;
    });
  }
  main(process.argv).then((code) => {
    process.exitCode = code;
  });
}

export { UsageError };
