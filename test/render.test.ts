import { describe, expect, it, beforeAll } from 'vitest';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Parser } from 'htmlparser2';
import { mdText, slug, uniqueSlugs } from '../src/render/escape.js';
import { markdownTable, md } from '../src/render/markdown-tables.js';
import { markdownToHtml } from '../src/render/markdown-html.js';
import { renderSite } from '../src/render/index.js';
import { fmtNum, fmtCount, precisionNote } from '../src/render/format.js';
import { runColors } from '../src/render/colors.js';
import { sampleModel, XSS_IMG, XSS_LINK, XSS_SCRIPT, PIPE_NAME } from './helpers/sample-model.js';

const HOSTILE = [XSS_IMG, XSS_SCRIPT, XSS_LINK, PIPE_NAME, '`code` *em* _u_ ~~s~~ $x$ # h', 'line1\nline2\r\n- item', '<a href="javascript:alert(1)">x</a>', 'see http://evil.example/x and www.evil.example'];

/** Text content of an HTML fragment, entities decoded (enough for these checks). */
function textOf(html: string): string {
  return html
    .replace(/<[^>]*>/g, '')
    .replace(/&#x([0-9a-f]+);/gi, (_, h: string) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&#(\d+);/g, (_, d: string) => String.fromCodePoint(Number(d)))
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');
}

function elementsOf(html: string): Array<{ name: string; attribs: Record<string, string> }> {
  const out: Array<{ name: string; attribs: Record<string, string> }> = [];
  const parser = new Parser({ onopentag: (name, attribs) => out.push({ name, attribs }) }, { decodeEntities: true });
  parser.write(html);
  parser.end();
  return out;
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join((e as unknown as { parentPath: string }).parentPath, e.name)).split(path.sep).join('/'))
    .sort();
}

describe('escaping', () => {
  it('shows hostile artifact text as text in a paragraph and a table cell', () => {
    for (const s of HOSTILE) {
      const para = markdownToHtml(`Name: ${mdText(s)}\n`);
      expect(para).not.toMatch(/<(img|script|a|em|strong|code|del|li|h1)\b/);
      expect(textOf(para).trim()).toBe(`Name: ${s.replace(/\r\n|\n/g, ' ')}`);
      const table = markdownToHtml(markdownTable([{ header: 'Endpoint' }, { header: 'n', align: 'right' }], [[s, 1]]));
      expect(table.match(/<td/g)?.length).toBe(2);
      expect(table).not.toMatch(/<(img|script|a|em|strong|code|del)\b/);
      expect(textOf(table)).toContain(s.replace(/\r\n|\n/g, ' '));
    }
  });

  it('keeps our own links and badges', () => {
    const html = markdownToHtml(`${md('[run](runs/a.html)').md} **PASS** **FAIL**\n`);
    expect(html).toContain('<a href="runs/a.html">run</a>');
    expect(html).toContain('<strong class="badge badge-pass">PASS</strong>');
    expect(html).toContain('<strong class="badge badge-fail">FAIL</strong>');
  });

  it('slugs ids into safe file names', () => {
    for (const id of ['../../etc/passwd', '..', '/abs', 'a/../b', 'C:\\x', '', '.hidden', 'ü-ñ']) {
      const s = slug(id);
      expect(s).toMatch(/^[a-z0-9][a-z0-9.-]*$/);
      expect(s).not.toContain('..');
    }
    expect(slug('Run A (1)')).toBe('run-a-1');
    const m = uniqueSlugs(['a b', 'a-b', 'A B', 'a b']);
    expect([...m.values()]).toEqual(['a-b', 'a-b-2', 'a-b-3']);
  });
});

describe('formatting and colours', () => {
  it('formats numbers without locale or exponent', () => {
    expect(fmtNum(0.000123)).toBe('0.000123');
    expect(fmtNum(1.234)).toBe('1.23');
    expect(fmtNum(12.34)).toBe('12.3');
    expect(fmtNum(123.4)).toBe('123');
    expect(fmtNum(12345.6)).toBe('12,346');
    expect(fmtNum(null)).toBe('–');
    expect(fmtCount(1234567)).toBe('1,234,567');
    expect(precisionNote('reported', 'locust')).toMatch(/rounded to 2 significant digits/);
    expect(precisionNote('buckets', 'prometheus')).toMatch(/histogram buckets/);
  });

  it('assigns colours by natural run id order, the same whatever the input order', () => {
    const a = runColors(['w-10', 'w-2', 'w-1']);
    const b = runColors(['w-1', 'w-2', 'w-10']);
    expect(a.ids).toEqual(['w-1', 'w-2', 'w-10']);
    for (const id of a.ids) expect(a.colorOf(id)).toBe(b.colorOf(id));
    expect(new Set(a.ids.map(a.colorOf)).size).toBe(3);
  });
});

describe('renderSite', () => {
  let dirA: string;
  let dirB: string;
  let files: string[];
  const sample = sampleModel();
  sample.model.runs[1]!.summary.histogram = 'HISTOGRAM-STRING-SHOULD-NOT-BE-PUBLISHED';

  beforeAll(async () => {
    const base = await mkdtemp(path.join(tmpdir(), 'ce-render-'));
    dirA = path.join(base, 'a');
    dirB = path.join(base, 'b');
    files = (await renderSite(sample.model, sample.analysis, dirA, { title: 'Sample <report>', description: 'desc' })).files;
    await renderSite(sample.model, sample.analysis, dirB, { title: 'Sample <report>', description: 'desc' });
    return () => rm(base, { recursive: true, force: true });
  }, 120_000);

  it('writes every page as HTML and Markdown, charts, data and embeds', async () => {
    expect(await listFiles(dirA)).toEqual(files);
    for (const p of ['index', 'studies/experiment-variant', 'studies/scaling-workers', 'studies/peak-vs-sustained-workers', 'runs/canary', 'runs/workers-10', 'runs/evil-id']) {
      expect(files).toContain(`${p}.html`);
      expect(files).toContain(`${p}.md`);
    }
    for (const f of ['.nojekyll', 'report.md', 'assets/style.css', 'data/analysis.json', 'data/model.json', 'embed/runs.md', 'embed/study-experiment-variant.md', 'embed/study-experiment-variant-chart.md', 'embed/run-canary.md']) {
      expect(files).toContain(f);
    }
    expect(files.every((f) => !f.includes('..'))).toBe(true);
    expect(files.filter((f) => f.startsWith('charts/')).length).toBeGreaterThanOrEqual(20);
  });

  it('is byte-identical between two renders', async () => {
    expect(await listFiles(dirB)).toEqual(files);
    for (const f of files) {
      const [a, b] = await Promise.all([readFile(path.join(dirA, f)), readFile(path.join(dirB, f))]);
      expect(a.equals(b), f).toBe(true);
    }
  });

  it('publishes the analysis exactly and the model without histograms', async () => {
    const analysis = JSON.parse(await readFile(path.join(dirA, 'data/analysis.json'), 'utf8'));
    expect(analysis).toEqual(JSON.parse(JSON.stringify(sample.analysis)));
    const modelText = await readFile(path.join(dirA, 'data/model.json'), 'utf8');
    expect(modelText).not.toContain('HISTOGRAM-STRING');
    expect(JSON.parse(modelText).runs).toHaveLength(sample.model.runs.length);
  });

  it('uses only relative links and never references another host', async () => {
    for (const f of files.filter((x) => x.endsWith('.html') || x.endsWith('.svg') || x.endsWith('.css'))) {
      const text = await readFile(path.join(dirA, f), 'utf8');
      const refs = [...text.matchAll(/\b(?:href|src|xlink:href)="([^"]*)"|url\(([^)]*)\)/g)].map((m) => m[1] ?? m[2] ?? '');
      for (const r of refs) expect(r, `${f}: ${r}`).not.toMatch(/^(?:[a-z]+:|\/\/|\/)/i);
      expect(text).not.toMatch(/<script\b/i);
      expect(text).not.toMatch(/@import|@font-face/);
    }
  });

  it('shows hostile names as text on every page', async () => {
    for (const f of files.filter((x) => x.endsWith('.html'))) {
      const html = await readFile(path.join(dirA, f), 'utf8');
      expect(html, f).not.toMatch(/<img\b/i);
      expect(html, f).not.toMatch(/<\/script>/i);
      expect(html, f).not.toMatch(/href="javascript:/i);
      for (const el of elementsOf(html)) {
        expect(['img', 'script', 'iframe', 'object', 'embed'], f).not.toContain(el.name);
        for (const [k, v] of Object.entries(el.attribs)) {
          expect(k, `${f}: <${el.name} ${k}>`).not.toMatch(/^on/i);
          expect(v, `${f}: <${el.name} ${k}>`).not.toMatch(/^\s*javascript:/i);
        }
      }
    }
    const canary = await readFile(path.join(dirA, 'runs/canary.html'), 'utf8');
    expect(textOf(canary)).toContain(XSS_IMG);
    expect(textOf(canary)).toContain(`boom ${XSS_SCRIPT}`);
    const evil = await readFile(path.join(dirA, 'runs/evil-id.html'), 'utf8');
    expect(textOf(evil)).toContain(`Run ${XSS_LINK}`);
    const index = await readFile(path.join(dirA, 'index.html'), 'utf8');
    expect(index).toContain('<title>Sample &lt;report&gt;</title>');
  });

  it('puts the study numbers, verdict badge, CI and definitions on the study page', async () => {
    const html = await readFile(path.join(dirA, 'studies/experiment-variant.html'), 'utf8');
    expect(html).toContain('<strong class="badge badge-pass">PASS</strong>');
    expect(textOf(html)).toContain('-31.5% … -18.2%');
    // Drawn twice, at the page's width and a phone's, one shown by the stylesheet; each with its title and description.
    expect(html).toMatch(/<figure class="chart"><div class="chart-wide"><svg[^>]*role="img"[^>]*><title[^>]*>[^<]*<\/title><desc[^>]*>[^<]*<\/desc>[\s\S]*mark-rule[\s\S]*<\/svg><\/div><div class="chart-narrow"><svg[\s\S]*<\/svg><\/div><figcaption>/);
    const scaling = await readFile(path.join(dirA, 'studies/scaling-workers.md'), 'utf8');
    expect(scaling).toContain('| 2 → 10 | +5.3% | ±2.05 | no-effect | +73.1% | +73.7% | 1.05× | 21% |');
    expect(scaling).toContain('![Throughput against workers](../charts/study-scaling-workers-throughput.svg)');
    expect(scaling).toContain('- Full-load throughput: the mean of the per-interval request rate');
    const pvs = await readFile(path.join(dirA, 'studies/peak-vs-sustained-workers.md'), 'utf8');
    // 3 rows in the p95/p99 table, and again in the folded table of all four percentiles
    expect(pvs.split('\n').filter((l) => l.startsWith('| ') && l.includes('runs/workers-')).length).toBe(6);
  });

  it('writes run pages with endpoints, precision notes, timeline and series charts', async () => {
    const w2 = await readFile(path.join(dirA, 'runs/workers-2.md'), 'utf8');
    expect(w2).toContain('reported by Locust, rounded to 2 significant digits');
    expect(w2).toContain('ValueError: bad \\`input\\` \\| \\*x\\* \\_y\\_');
    const stable = await readFile(path.join(dirA, 'runs/stable.html'), 'utf8');
    expect(stable.match(/<figure class="chart">/g)?.length).toBe(5); // throughput, users, latency, 2 series groups (cpu, memory)
  });

  it('puts each study in report.md without links to the site when its URL is not given', async () => {
    const report = await readFile(path.join(dirA, 'report.md'), 'utf8');
    expect(report).toMatch(/^# Sample &lt;report&gt;/);
    expect(report).toContain('## Scaling by workers');
    // No link of ours (a hostile run name shows its escaped brackets as text).
    expect(report).not.toMatch(/(?<!\\)\]\(/);
    expect(report).toContain('\\[x\\](javascript:');
  });

  it('writes a timestamp only when asked', async () => {
    const index = await readFile(path.join(dirA, 'index.html'), 'utf8');
    expect(index).not.toMatch(/built \d{4}/);
    const dir = await mkdtemp(path.join(tmpdir(), 'ce-render-ts-'));
    try {
      const small = sampleModel();
      small.model.runs = small.model.runs.slice(0, 1);
      small.analysis.studies = [];
      await renderSite(small.model, small.analysis, dir, { title: 't', timestamp: '2024-01-02T03:04:05Z' });
      expect(await readFile(path.join(dir, 'index.html'), 'utf8')).toContain('built 2024-01-02T03:04:05Z');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('Prometheus series charts', () => {
  it('draws server-side percentiles (histogram_quantile) in one chart, in ms, in rising order with the client-side colours', async () => {
    const { runCharts, siteContext } = await import('../src/render/pages.js');
    const { model, analysis } = sampleModel();
    const run = model.runs.find((r) => r.id === 'stable')!;
    const t0 = Date.parse(run.start!) / 1000;
    const q = (x: number) => `histogram_quantile(${x}, sum by (le) (rate(http_request_duration_seconds_bucket[30s])))`;
    run.series = [
      { name: 'p99', unit: 's', query: q(0.99), source: 'p99.json', labels: {}, points: [[t0, 0.2], [t0 + 1, 0.25]] },
      { name: 'server p50', unit: 's', query: q(0.5), source: 'a.json', labels: {}, points: [[t0, 0.05], [t0 + 1, null]] },
      { name: 'inflight', unit: '', source: 'i.json', labels: {}, points: [[t0, 3]] },
    ];
    const { seriesCharts } = runCharts(run, siteContext(model, analysis, 'T'));
    expect(seriesCharts.map((c) => c.alt)).toEqual(['Prometheus series Server-side percentiles (ms)', 'Prometheus series inflight']);
    const spec = JSON.stringify(seriesCharts[0]!.spec);
    expect(spec).toContain('"domain":["p50","p99"]');
    expect(spec).toContain('{"t":0,"series":"p99","value":200}');
    expect(spec).toContain('{"t":1,"series":"p50","value":null}');
  });
});

describe('the users chart', () => {
  it('is drawn when the user count changes, and given as a number when it never does', async () => {
    const { runCharts, runPage, siteContext } = await import('../src/render/pages.js');
    const { model, analysis } = sampleModel();
    const run = model.runs.find((r) => r.id === 'stable')!;
    const ctx = siteContext(model, analysis, 'T');
    const alts = () => runCharts(run, ctx).charts.map((c) => c.alt);
    run.timeline = run.timeline.map((p, i) => ({ ...p, users: i < 3 ? 10 * (i + 1) : 40 }));
    expect(alts()).toContain('Active users or VUs over time');
    // A constant-VUs run: a flat line says nothing the number does not.
    run.timeline = run.timeline.map((p) => ({ ...p, users: 40 }));
    expect(alts()).not.toContain('Active users or VUs over time');
    const page = runPage(run, ctx);
    expect(page.view('md', '../').phasesText).toMatch(/ 40 (VUs|users) at every point of the timeline\./);
  });
});
