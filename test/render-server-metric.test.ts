// The chart of the series a server-side experiment was judged on: both sides' points
// relative to their run's start, and each side's statistic as the level drawn.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze, type ExperimentStudy } from '../src/analyze/index.js';
import { ingestRuns } from '../src/ingest/pipeline.js';
import { serverMetricChartData } from '../src/render/server-metric-chart.js';

const ROOT = path.resolve(__dirname, '..');
const FIX = path.join(ROOT, 'fixtures', 'experiments', 'canary-threads');

describe('server metric chart data', () => {
  it('per-run sides: every step of both series, levels at the two maxima', async () => {
    const { runs } = await ingestRuns([{ inputs: [path.join(FIX, 'pair=threads')] }], { cwd: ROOT });
    const [b, c] = ['variant-stable-text-bombardier', 'variant-canary-text-bombardier'];
    const study = analyze(runs, { studies: [{ kind: 'experiment', id: 'e', baseline: b, candidate: c, metric: 'max(processing_max_5s)' }] }).studies[0] as ExperimentStudy;
    const d = serverMetricChartData(study, runs)!;
    expect(d.sides).toEqual([b, c]);
    expect(d.unit).toBe('s');
    expect(d.rows.filter((r) => r.side === b)).toHaveLength(65); // 1796467781 … 1796467845, step 1 s
    expect(d.rows[0]).toEqual({ side: b, t: 0, value: expect.closeTo(0.5405, 4) }); // the first point is the run's start
    expect(d.levels).toEqual([
      { side: b, value: expect.closeTo(3.6471, 4) },
      { side: c, value: expect.closeTo(0.5601, 4) },
    ]);
  });

  it('split sides are the label values of one run', async () => {
    const { runs } = await ingestRuns([{ inputs: [path.join(FIX, 'combined')] }], { cwd: ROOT });
    const split = { label: 'version', baseline: 'stable', candidate: 'canary' };
    const study = analyze(runs, { studies: [{ kind: 'experiment', id: 'e', baseline: runs[0]!.id, candidate: runs[0]!.id, metric: 'max(processing_max_5s_by_version)', split }] }).studies[0] as ExperimentStudy;
    const d = serverMetricChartData(study, runs)!;
    expect(d.sides).toEqual(['version=stable', 'version=canary']);
    expect(d.levels.map((l) => l.value)).toEqual([expect.closeTo(3.6471, 4), expect.closeTo(0.5601, 4)]);
    expect(new Set(d.rows.map((r) => r.side))).toEqual(new Set(d.sides));
  });
});
