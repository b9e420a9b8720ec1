// End to end: the real Locust (Debian python3-locust) against a local test server,
// then our ingesters on everything it wrote (--csv with full history and --html).
import { describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseDocument, DomUtils } from 'htmlparser2';
import { ingestRuns } from '../src/ingest/pipeline.js';
import { startPredictServer } from './servers/predict-server.js';

const hasLocust = spawnSync('sh', ['-c', 'command -v locust'], { encoding: 'utf8' }).status === 0;
const mustRun = !!process.env.CI;
if (!hasLocust && !mustRun) console.warn('e2e-locust: skipped, `locust` is not installed (apt-get install python3-locust); CI runs it');

const USERS = 5;
const LOCUSTFILE = `
from locust import HttpUser, task, between

class ModelUser(HttpUser):
    wait_time = between(0.05, 0.2)

    @task(1)
    def index(self):
        self.client.get("/")

    @task(4)
    def predict(self):
        self.client.post("/predict", json={"input": "img-1"})
`;

function runLocust(dir: string, host: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const args = ['-f', 'locustfile.py', '--headless', '-u', String(USERS), '-r', String(USERS), '-t', '6s', '--host', host,
      '--csv', 'e2e', '--csv-full-history', '--html', 'e2e_report.html', '--only-summary'];
    const child = spawn('locust', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 25_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/** The Aggregated request count as the report's Request Statistics table states it, read independently. */
function reportAggregatedCount(html: string): number {
  const doc = parseDocument(html);
  const total = DomUtils.findAll((e) => e.name === 'tr' && DomUtils.getAttributeValue(e, 'class') === 'total', doc.children)[0];
  if (!total) throw new Error('no Aggregated row in the report');
  const cells = DomUtils.getElementsByTagName('td', total).map((td) => DomUtils.textContent(td).trim());
  return Number(cells[2]);
}

describe.skipIf(!hasLocust && !mustRun)('real Locust end to end', () => {
  it('ingests the CSV files and the HTML report of a real run as one run', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ce-report-locust-'));
    const server = await startPredictServer({ failEvery: 8 });
    try {
      writeFileSync(path.join(dir, 'locustfile.py'), LOCUSTFILE);
      const { code, output } = await runLocust(dir, server.url);
      // Locust exits 1 when some requests failed, which this server makes sure of.
      expect([0, 1], output).toContain(code);
      for (const f of ['e2e_stats.csv', 'e2e_stats_history.csv', 'e2e_failures.csv', 'e2e_exceptions.csv', 'e2e_report.html']) {
        expect(existsSync(path.join(dir, f)), `${f} written; locust said:\n${output}`).toBe(true);
      }
      const result = await ingestRuns([{ inputs: ['.'] }], { cwd: dir });
      expect(result.runs).toHaveLength(1);
      const run = result.runs[0]!;
      expect(run.tool).toBe('locust');
      expect(run.sources.map((s) => s.format).sort()).toEqual(['locust-csv', 'locust-csv', 'locust-csv', 'locust-csv', 'locust-html']);

      // The report's final count wins over the trailing _stats.csv.
      const reportCount = reportAggregatedCount(readFileSync(path.join(dir, 'e2e_report.html'), 'utf8'));
      expect(run.summary.requests).toBeGreaterThan(0);
      expect(run.summary.requests).toBe(reportCount);
      // The server saw every recorded request; a stopped user may lose one in flight.
      expect(run.summary.requests).toBeLessThanOrEqual(server.served.total);
      expect(server.served.total - run.summary.requests).toBeLessThanOrEqual(USERS);

      // Failures: the server's 500s, as the failures table lists them.
      const fails500 = run.errors.filter((e) => e.kind === 'failure' && e.status === '500');
      expect(fails500.length).toBeGreaterThan(0);
      const counted500 = fails500.reduce((a, e) => a + e.count, 0);
      expect(counted500).toBeLessThanOrEqual(server.served.status500);
      expect(server.served.status500 - counted500).toBeLessThanOrEqual(USERS);
      expect(run.summary.failures).toBe(counted500);
      expect(fails500.every((e) => e.endpoint === '/predict' && e.method === 'POST')).toBe(true);

      const names = run.endpoints.map((e) => `${e.method} ${e.name}`).sort();
      expect(names).toEqual(['GET /', 'POST /predict']);
      const predict = run.endpoints.find((e) => e.name === '/predict')!;
      expect(predict.failures).toBe(counted500);
      expect(predict.latencyMs.p50).toBeGreaterThan(0);

      expect(run.timeline.length).toBeGreaterThan(0);
      console.info(`e2e-locust: server served ${server.served.total} (${server.served.status500} × 500); report ${reportCount}; run ${run.summary.requests} requests, ${run.summary.failures} failures, ${run.timeline.length} timeline points (${run.timelineLatency})`);
      expect(run.start).not.toBeNull();
      expect(run.summary.precision).toBe('reported');
    } finally {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 40_000);
});
