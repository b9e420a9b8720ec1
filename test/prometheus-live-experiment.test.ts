// Canary vs stable judged on server-side metrics from a real Prometheus. The per-step
// values of the canary-threads campaign (fixtures/experiments/canary-threads, two
// versions served at the same time with a `version` label) are backfilled with promtool,
// shifted three hours back, and read back two ways, as users do:
//   - saved answers: `curl …/api/v1/query_range` into each bombardier run's folder
//     (bombardier records no clock; the answers give its window);
//   - live: one query answering for both versions (`max by (version)`), split by the label.
// Truth (the campaign's README): max processing time threads 3.6471 → 0.5601 s (−84.6%),
// A/A 3.8669 → 3.9964 s (+3.3%).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { analyze, type ExperimentStudy, type StudyConfig } from '../src/analyze/index.js';
import { fetchPrometheusSeries } from '../src/ingest/prometheus/live.js';
import { ingestRuns } from '../src/ingest/pipeline.js';
import { emptyStats, type Run } from '../src/model/types.js';
import { havePrometheus, startPrometheus, type TestPrometheus } from './helpers/prometheus-server.js';

const FIX = path.resolve(__dirname, '..', 'fixtures', 'experiments', 'canary-threads');
/** The campaign's query windows (unix s): stable and canary of a pair ran at the same time. */
const WINDOWS = { threads: [1796467778, 1796467845], aa: [1796467952, 1796468019] } as const;
type Pair = keyof typeof WINDOWS;
const VERSIONS = ['stable', 'canary'] as const;
/** Saved file stem → backfilled metric. */
const METRICS = { processing_max_5s: 'ce_processing_max_seconds', processing_p95: 'ce_processing_p95_seconds' } as const;

function fixturePoints(pair: Pair, version: string, stem: string): Array<[number, string]> {
  const body = JSON.parse(readFileSync(path.join(FIX, `pair=${pair}`, `variant=${version}`, 'text', 'prometheus', `query_range_${stem}.json`), 'utf8'));
  return body.data.result[0].values;
}

describe.skipIf(!havePrometheus && !process.env.CI)('canary vs stable on server-side metrics from a real Prometheus', () => {
  let prom: TestPrometheus;
  let shift = 0;
  const at = (pair: Pair) => WINDOWS[pair].map((t) => t + shift) as [number, number];

  beforeAll(async () => {
    // Older than the head block window, so backfilled blocks never overlap what the server ingests itself.
    const t0 = Math.floor((Date.now() / 1000 - 3 * 3600) / 60) * 60;
    shift = t0 - WINDOWS.threads[0];
    const lines: string[] = [];
    for (const [stem, metric] of Object.entries(METRICS)) {
      lines.push(`# TYPE ${metric} gauge`);
      for (const pair of Object.keys(WINDOWS) as Pair[]) {
        for (const version of VERSIONS) {
          for (const [t, v] of fixturePoints(pair, version, stem)) lines.push(`${metric}{pair="${pair}",version="${version}"} ${v} ${t + shift}`);
        }
      }
    }
    lines.push('# EOF');
    prom = await startPrometheus(lines.join('\n') + '\n');
  }, 60_000);

  afterAll(async () => {
    await prom?.stop();
  });

  async function queryRange(query: string, [start, end]: [number, number]): Promise<string> {
    const u = new URL('/api/v1/query_range', prom.url);
    u.search = new URLSearchParams({ query, start: String(start), end: String(end), step: '1' }).toString();
    const r = await fetch(u);
    expect(r.status).toBe(200);
    return r.text();
  }

  describe('a bombardier pair with saved answers in each run folder', () => {
    let root = '';
    let runs: Run[] = [];
    const id = (pair: Pair, v: string) => `pair-${pair}-variant-${v}-bombardier`;

    beforeAll(async () => {
      root = path.join(prom.dir, 'results');
      for (const pair of Object.keys(WINDOWS) as Pair[]) {
        for (const version of VERSIONS) {
          const dir = path.join(root, `pair=${pair}`, `variant=${version}`);
          mkdirSync(path.join(dir, 'prometheus'), { recursive: true });
          copyFileSync(path.join(FIX, `pair=${pair}`, `variant=${version}`, 'text', 'bombardier.txt'), path.join(dir, 'bombardier.txt'));
          const rows = ['| file | PromQL |', '|---|---|'];
          for (const [stem, metric] of Object.entries(METRICS)) {
            const query = `${metric}{pair="${pair}",version="${version}"}`;
            writeFileSync(path.join(dir, 'prometheus', `query_range_${stem}.json`), await queryRange(query, at(pair)));
            rows.push(`| \`query_range_${stem}.json\` | \`${query}\` |`);
          }
          writeFileSync(path.join(dir, 'prometheus', 'README.md'), rows.join('\n') + '\n');
        }
      }
      runs = (await ingestRuns([{ inputs: [root] }], { cwd: root })).runs;
    }, 30_000);

    function judge(pair: Pair, metric: string, minChangePct = 5): ExperimentStudy {
      const study: StudyConfig = { kind: 'experiment', id: 'e', baseline: id(pair, 'stable'), candidate: id(pair, 'canary'), metric, criterion: { direction: 'decrease', minChangePct } };
      return analyze(runs, { studies: [study] }).studies[0] as ExperimentStudy;
    }

    it('four folders make four bombardier runs, windowed by their answers, and no Prometheus-only run', () => {
      expect(runs.map((r) => [r.id, r.tool, r.series.length])).toEqual([
        [id('aa', 'canary'), 'bombardier', 2],
        [id('aa', 'stable'), 'bombardier', 2],
        [id('threads', 'canary'), 'bombardier', 2],
        [id('threads', 'stable'), 'bombardier', 2],
      ]);
      const stable = runs.find((r) => r.id === id('threads', 'stable'))!;
      // The threads window's series start 3 s in (Prometheus' first scrape came late).
      expect(stable.start).toBe(new Date((at('threads')[0] + 3) * 1000).toISOString());
      expect(stable.end).toBe(new Date(at('threads')[1] * 1000).toISOString());
      expect(stable.series.map((s) => s.unit)).toEqual(['s', 's']);
    });

    it('threads, max(processing_max_5s): 3.6471 → 0.5601 s, PASS', () => {
      const s = judge('threads', 'max(processing_max_5s)');
      expect([s.baselineValue, s.candidateValue]).toEqual([3.6471, 0.5601].map((x) => expect.closeTo(x, 4)));
      expect(s.verdict).toBe('PASS');
      expect(s.conclusions[0]).toMatch(/maximum of processing_max_5s \(Prometheus, per 1 s step, whole run\) 3\.65 → 0\.560? s \(−84\.6%; 95% CI /);
    });

    it('threads, p95(processing_p95): PASS', () => {
      const s = judge('threads', 'p95(processing_p95)');
      expect(s.verdict).toBe('PASS');
      expect(s.changePct!).toBeLessThan(-80);
    });

    it('A/A (two equal variants), max and p95: FAIL against "decrease by at least 5%", never PASS', () => {
      const max = judge('aa', 'max(processing_max_5s)');
      expect([max.baselineValue, max.candidateValue]).toEqual([3.8669, 3.9964].map((x) => expect.closeTo(x, 4)));
      expect(max.verdict).toBe('FAIL');
      const p95 = judge('aa', 'p95(processing_p95)');
      expect(p95.verdict).toBe('FAIL');
      expect(p95.ci![1]).toBeGreaterThan(-5);
    });

    it('INCONCLUSIVE: whether the A/A canary is lower at all', () => {
      for (const metric of ['max(processing_max_5s)', 'p95(processing_p95)']) {
        const s = judge('aa', metric, 0);
        expect(s.verdict).toBe('INCONCLUSIVE');
        expect(s.ci![0]).toBeLessThan(0);
        expect(s.ci![1]).toBeGreaterThan(0);
      }
    });
  });

  describe('one live query for both versions, split by its version label', () => {
    function windowRun(id: string, [start, end]: [number, number]): Run {
      return {
        id,
        name: id,
        tool: 'k6',
        sources: [],
        labels: {},
        start: new Date(start * 1000).toISOString(),
        end: new Date(end * 1000).toISOString(),
        durationS: end - start,
        summary: emptyStats('all', null, 'samples'),
        endpoints: [],
        timelineIntervalS: 1,
        timelineLatency: 'none',
        timeline: [],
        errors: [],
        series: [],
        thresholds: [],
        metrics: {},
      };
    }
    const split = { label: 'version', baseline: 'stable', candidate: 'canary' };

    async function liveRun(pair: Pair): Promise<Run> {
      const run = windowRun(`load-${pair}`, at(pair));
      const warnings = await fetchPrometheusSeries([run], {
        url: prom.url,
        stepS: 1,
        paddingS: 0,
        queries: [
          { name: 'processing_max_by_version', query: `max by (version) (ce_processing_max_seconds{pair="${pair}"})` },
          { name: 'processing_p95_by_version', query: `max by (version) (ce_processing_p95_seconds{pair="${pair}"})` },
        ],
      });
      expect(warnings).toEqual([]);
      return run;
    }

    it('configured split: max and p95 PASS for threads, FAIL for the A/A pair', async () => {
      const threads = await liveRun('threads');
      expect(threads.series.map((s) => [s.name, s.labels.version, s.unit])).toEqual([
        ['processing_max_by_version', 'canary', 's'],
        ['processing_max_by_version', 'stable', 's'],
        ['processing_p95_by_version', 'canary', 's'],
        ['processing_p95_by_version', 'stable', 's'],
      ]);
      const studies: StudyConfig[] = ['max(processing_max_by_version)', 'p95(processing_p95_by_version)'].map((metric, i) => ({
        kind: 'experiment',
        id: `e${i}`,
        baseline: threads.id,
        candidate: threads.id,
        metric,
        split,
      }));
      const [max, p95] = analyze([threads], { studies }).studies as ExperimentStudy[];
      expect([max!.baselineValue, max!.candidateValue]).toEqual([3.6471, 0.5601].map((x) => expect.closeTo(x, 4)));
      expect([max!.verdict, p95!.verdict]).toEqual(['PASS', 'PASS']);
      expect(max!.conclusions[0]).toMatch(/^canary vs stable: maximum of processing_max_by_version/);

      const aa = await liveRun('aa');
      const aaStudies = studies.map((s) => ({ ...s, baseline: aa.id, candidate: aa.id }));
      const verdicts = (analyze([aa], { studies: aaStudies }).studies as ExperimentStudy[]).map((s) => s.verdict);
      expect(verdicts).toEqual(['FAIL', 'FAIL']);
    });

    it('zero-config: the version label alone makes the experiment on the one load run', async () => {
      const threads = await liveRun('threads');
      const inferred = analyze([threads]).studies.filter((s): s is ExperimentStudy => s.kind === 'experiment');
      expect(inferred.map((s) => [s.metric, s.split, s.verdict])).toEqual([['max(processing_max_by_version)', split, 'PASS']]);
    });
  });
});
