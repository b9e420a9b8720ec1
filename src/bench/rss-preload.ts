// Loaded with `node --import` before the CLI by the benchmark (the CLI itself is not
// changed): at exit, writes the process's peak RSS (resourceUsage().maxRSS, all threads,
// so the ingester's worker too) as JSON to the file named by CE_BENCH_RSS_FILE.
import { writeFileSync } from 'node:fs';
import { isMainThread } from 'node:worker_threads';

const out = process.env.CE_BENCH_RSS_FILE;
if (out && isMainThread) {
  process.on('exit', () => {
    writeFileSync(out, JSON.stringify({ maxRssMiB: process.resourceUsage().maxRSS / 1024 }));
  });
}
