// Hostile artifacts through the whole build (src/build.ts → site files): endpoint names,
// tags, error messages, labels, run names and config strings are untrusted. None may run
// script in a page, break a Markdown table, or make the build write outside its folder.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { Parser } from 'htmlparser2';
import { build } from '../src/build.js';
import { k6Decl, k6Point, LOCUST_STATS_HEADER, removeScratch, scratch, type Scratch } from './helpers/bad-inputs.js';

/** Names an attacker would put in an artifact; each must come out inert. */
const HOSTILE = [
  '<img src=x onerror=alert(1)>',
  '</script><script>alert(2)</script>',
  '[click](javascript:alert(3))',
  '<a href="javascript:alert(4)">x</a>',
  'pipe|in|name',
  '`code` and ``` fence',
  '"><svg onload=alert(5)>',
  '{{constructor.constructor("alert(6)")()}}',
  '<!-- comment -->',
  '![img](x" onerror="alert(7))',
];

async function listFiles(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.join((e as unknown as { parentPath?: string; path: string }).parentPath ?? (e as unknown as { path: string }).path, e.name))
    .sort();
}

interface Finding {
  file: string;
  what: string;
}

/** Everything in an HTML or SVG document that could run script or leave the page. */
function scriptVectors(file: string, text: string, xmlMode: boolean): Finding[] {
  const found: Finding[] = [];
  const parser = new Parser(
    {
      onopentag(name, attrs) {
        const tag = name.toLowerCase();
        if (['script', 'iframe', 'object', 'embed', 'base', 'form'].includes(tag)) found.push({ file, what: `<${tag}> element` });
        // A Content-Security-Policy meta is welcome; a refresh could navigate away.
        if (tag === 'meta' && /refresh/i.test(attrs['http-equiv'] ?? '')) found.push({ file, what: '<meta http-equiv=refresh>' });
        for (const [k, v] of Object.entries(attrs)) {
          const key = k.toLowerCase();
          if (key.startsWith('on')) found.push({ file, what: `${key}= attribute on <${tag}>` });
          if (['href', 'src', 'xlink:href', 'action', 'formaction', 'data'].includes(key) && /^\s*(javascript|vbscript|data):/i.test(v.replace(/[\u0000-\u0020]/g, ''))) {
            found.push({ file, what: `${key}="${v}" on <${tag}>` });
          }
          if (tag === 'img' && key === 'src' && v === 'x') found.push({ file, what: '<img src=x> from an artifact' });
        }
      },
    },
    { xmlMode, decodeEntities: true, lowerCaseAttributeNames: !xmlMode },
  );
  parser.write(text);
  parser.end();
  return found;
}

/** Cells of a GFM table row, split on pipes not escaped with a backslash and not in code spans. */
function tableCells(line: string): number {
  let cells = 0;
  let inCode = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (c === '`') inCode = !inCode;
    if (c === '|' && !inCode) cells++;
  }
  return cells;
}

function markdownProblems(file: string, text: string): Finding[] {
  const found: Finding[] = [];
  // Raw HTML from an artifact in Markdown would be rendered by GitHub and other viewers.
  for (const m of text.matchAll(/<\/?(img|script|svg|a|iframe)\b[^>]*>/gi)) {
    // The config's description is the user's own Markdown, not an artifact's.
    if (!m[0].includes('alert(12)')) found.push({ file, what: `raw HTML ${m[0]}` });
  }
  for (const m of text.matchAll(/(?<!\\)\]\(\s*javascript:[^)]*\)/gi)) if (!m[0].includes('alert(13)')) found.push({ file, what: `javascript: link ${m[0]}` });
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (!/^\s*\|.*\|\s*$/.test(lines[i]!) || !/^\s*\|[\s:|-]+\|\s*$/.test(lines[i + 1] ?? '')) continue;
    const want = tableCells(lines[i]!);
    for (let j = i + 1; j < lines.length && /^\s*\|/.test(lines[j]!); j++) {
      if (tableCells(lines[j]!) !== want) found.push({ file, what: `table row at line ${j + 1} has ${tableCells(lines[j]!)} pipes, header ${want}: ${lines[j]!.slice(0, 120)}` });
    }
  }
  return found;
}

let s: Scratch;
afterAll(removeScratch);
let outDir: string;
let before: string[];
let after: string[];

beforeAll(async () => {
  s = await scratch();
  // Locust: hostile endpoint names and a failure message; folder labels with markup.
  const rows = HOSTILE.map((n, i) => `GET,"${n.replace(/"/g, '""')}",${10 + i},1,10,10.5,8.3,13.4,35.0,0.72,0.1,10,12,12,13,13,13,13,13,13,13,13`);
  await s.write(
    'results/env=<img src=x onerror=alert(8)>/locust_stats.csv',
    [LOCUST_STATS_HEADER, ...rows, `,Aggregated,${HOSTILE.length * 10 + 45},${HOSTILE.length},10,10.5,8.3,13.4,35.0,0.72,0.1,10,12,12,13,13,13,13,13,13,13,13`].join('\n') + '\n',
  );
  await s.write(
    'results/env=<img src=x onerror=alert(8)>/locust_failures.csv',
    ['Method,Name,Error,Occurrences', ...HOSTILE.map((n) => `GET,"${n.replace(/"/g, '""')}","${('Boom ' + n).replace(/"/g, '""')}",1`)].join('\n') + '\n',
  );
  // k6: hostile name tags, status and error tags, over a few seconds so there is a timeline.
  const lines = [k6Decl('http_reqs', 'counter'), k6Decl('http_req_duration', 'trend'), k6Decl('http_req_failed', 'rate'), k6Decl('vus', 'gauge')];
  for (let i = 0; i < 40; i++) {
    const t = new Date(Date.UTC(2026, 0, 1, 0, 0, Math.floor(i / 4))).toISOString();
    const name = HOSTILE[i % HOSTILE.length]!;
    const failed = i % 7 === 0;
    const tags = { name, status: failed ? '500' : '200', expected_response: failed ? 'false' : 'true', error: failed ? `<script>alert(9)</script> ${name}` : '' };
    lines.push(k6Point(t, 'http_reqs', 1, tags), k6Point(t, 'http_req_duration', 10 + i, tags), k6Point(t, 'http_req_failed', failed ? 1 : 0, tags), k6Point(t, 'vus', 2, {}));
  }
  await s.write('results/variant=</script><b>x/k6.json', lines.join('\n') + '\n');
  await s.write(
    'ce-report.config.json',
    JSON.stringify({
      title: '</title><script>alert(10)</script> <img src=x onerror=alert(11)>',
      description: 'Hostile *description* <img src=x onerror=alert(12)> [x](javascript:alert(13))',
      out: 'site',
      inputs: ['results'],
    }),
  );
  before = await listFiles(s.dir);
  const result = await build({ inputs: [], cwd: s.dir });
  outDir = result.outDir;
  after = await listFiles(s.dir);
}, 120_000);

describe('hostile names through the whole build', () => {
  it('builds the site from the hostile artifacts', async () => {
    expect(outDir).toBe(path.join(s.dir, 'site'));
    const files = await listFiles(outDir);
    expect(files.some((f) => f.endsWith('index.html'))).toBe(true);
    // The hostile strings did reach the site (as text), so the checks below mean something.
    const index = await fs.readFile(path.join(outDir, 'index.html'), 'utf8');
    expect(index).toContain('&lt;/script&gt;');
  });

  it('writes nothing outside the output folder', () => {
    const outside = after.filter((f) => !f.startsWith(outDir + path.sep) && !before.includes(f));
    expect(outside).toEqual([]);
  });

  it('no page or chart can run script: no script elements, on* attributes or javascript: links', async () => {
    const findings: Finding[] = [];
    for (const f of await listFiles(outDir)) {
      const rel = path.relative(outDir, f);
      if (f.endsWith('.html')) findings.push(...scriptVectors(rel, await fs.readFile(f, 'utf8'), false));
      if (f.endsWith('.svg')) findings.push(...scriptVectors(rel, await fs.readFile(f, 'utf8'), true));
    }
    expect(findings).toEqual([]);
  });

  it('Markdown pages and tables: no raw HTML from artifacts, no javascript: links, no broken table rows', async () => {
    const findings: Finding[] = [];
    const mdFiles = (await listFiles(outDir)).filter((f) => f.endsWith('.md'));
    expect(mdFiles.length).toBeGreaterThan(0);
    for (const f of mdFiles) findings.push(...markdownProblems(path.relative(outDir, f), await fs.readFile(f, 'utf8')));
    expect(findings).toEqual([]);
  });

  it('the data files keep the hostile names as plain JSON strings', async () => {
    const files = (await listFiles(outDir)).filter((f) => f.endsWith('.json'));
    expect(files.length).toBeGreaterThan(0);
    const texts = await Promise.all(files.map((f) => fs.readFile(f, 'utf8')));
    for (const t of texts) expect(() => JSON.parse(t)).not.toThrow();
    expect(texts.join('\n')).toContain(JSON.stringify(HOSTILE[0]).slice(1, -1));
  });
});

describe('the checks above find what they look for', () => {
  it('flags script vectors in HTML and SVG', () => {
    const bad = '<p><img src=x onerror=alert(1)><a href=" javascript:alert(2)">x</a></p><script>alert(3)</script><meta http-equiv="refresh" content="0;url=https://example.com">';
    expect(scriptVectors('x.html', bad, false).map((f) => f.what)).toEqual([
      '<img src=x> from an artifact',
      'onerror= attribute on <img>',
      'href=" javascript:alert(2)" on <a>',
      '<script> element',
      '<meta http-equiv=refresh>',
    ]);
    expect(scriptVectors('x.svg', '<svg><a xlink:href="javascript:alert(1)"><text onclick="x()">t</text></a></svg>', true)).toHaveLength(2);
    expect(scriptVectors('ok.html', '<p>&lt;img src=x onerror=alert(1)&gt;</p>', false)).toEqual([]);
  });

  it('flags raw HTML, javascript: links and broken tables in Markdown', () => {
    const md = ['| a | b |', '|---|---|', '| x|y | 2 |', '| `p|q` | \\| |', '', 'see [x](javascript:alert(1)) and <img src=x>'].join('\n');
    expect(markdownProblems('x.md', md).map((f) => f.what)).toEqual(['raw HTML <img src=x>', 'javascript: link ](javascript:alert(1)', 'table row at line 3 has 4 pipes, header 3: | x|y | 2 |']);
    expect(markdownProblems('ok.md', '| a |\n|---|\n| \\| |\n\n\\[click\\](javascript:x) &lt;img&gt;')).toEqual([]);
  });
});

describe('output paths built from names', () => {
  it('a study id with ../ cannot write outside the site', async () => {
    const t = await scratch();
    await t.write('a/k6.json', (await fs.readFile(path.join(s.dir, 'results/variant=</script><b>x/k6.json'))).toString());
    await t.write('b/k6.json', (await fs.readFile(path.join(s.dir, 'results/variant=</script><b>x/k6.json'))).toString());
    await t.write(
      'c.json',
      JSON.stringify({
        runs: [{ id: 'a', inputs: ['a'] }, { id: 'b', inputs: ['b'] }],
        studies: [{ kind: 'experiment', id: '../../escaped', baseline: 'a', candidate: 'b', metric: 'max-p95', criterion: { direction: 'decrease', minChangePct: 5 } }],
      }),
    );
    const beforeT = await listFiles(t.dir);
    let built: string | undefined;
    try {
      built = (await build({ inputs: [], config: 'c.json', out: 'out/site', cwd: t.dir })).outDir;
    } catch (e) {
      // Rejecting the id is fine too, as long as it is a clean error.
      expect((e as Error).name).toMatch(/InputError|UsageError/);
    }
    const afterT = await listFiles(t.dir);
    const outside = afterT.filter((f) => !beforeT.includes(f) && !(built && f.startsWith(built + path.sep)));
    expect(outside).toEqual([]);
    const parent = await fs.readdir(path.dirname(t.dir));
    expect(parent.filter((n) => n.startsWith('escaped'))).toEqual([]);
  });
});

describe('chart captions', () => {
  it('a chart title with a hostile name stays text in its figcaption', async () => {
    const { markdownToHtml } = await import('../src/render/markdown-html.js');
    const md = `![Latency of <img src=x onerror=alert(1)> & "q"](charts/a.svg)\n`;
    const html = markdownToHtml(md, [{ src: 'charts/a.svg', svg: '<svg><rect/></svg>' }]);
    const caption = /<figcaption>([\s\S]*)<\/figcaption>/.exec(html)?.[1];
    expect(caption).toBeDefined();
    expect(caption).not.toMatch(/<img/);
    expect(caption).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });
});
