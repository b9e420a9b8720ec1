import { describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { embedTables, loadEmbeds, rebaseLinks } from '../src/render/embed.js';
import { renderSite } from '../src/render/index.js';
import { sampleModel } from './helpers/sample-model.js';

const tables = new Map([
  ['runs', '| a | b |\n| --- | ---: |\n| x | 1 |\n'],
  ['study-x-chart', '![chart](charts/study-x.svg)\n'],
]);

describe('embedTables', () => {
  const doc = [
    '# My project',
    '',
    'Intro text  with  odd   spacing\t and a trailing space ',
    '<!-- ce-report:begin runs -->',
    'old content',
    'more old content',
    '<!-- ce-report:end -->',
    'Between.',
    '<!--ce-report:begin study-x-chart-->',
    '<!-- ce-report:end -->',
    'End without newline',
  ].join('\n');

  it('replaces only the marked blocks and is idempotent', () => {
    const once = embedTables(doc, tables);
    expect(once).toBe(
      [
        '# My project',
        '',
        'Intro text  with  odd   spacing\t and a trailing space ',
        '<!-- ce-report:begin runs -->',
        '| a | b |',
        '| --- | ---: |',
        '| x | 1 |',
        '<!-- ce-report:end -->',
        'Between.',
        '<!--ce-report:begin study-x-chart-->',
        '![chart](charts/study-x.svg)',
        '<!-- ce-report:end -->',
        'End without newline',
      ].join('\n'),
    );
    expect(embedTables(once, tables)).toBe(once);
  });

  it('keeps CRLF files CRLF and the text outside the markers byte for byte', () => {
    const crlf = doc.replace(/\n/g, '\r\n');
    const out = embedTables(crlf, tables);
    expect(out).not.toMatch(/[^\r]\n/);
    expect(out.startsWith('# My project\r\n\r\nIntro text  with  odd   spacing\t and a trailing space \r\n<!-- ce-report:begin runs -->\r\n| a | b |\r\n')).toBe(true);
    expect(out.endsWith('<!-- ce-report:end -->\r\nEnd without newline')).toBe(true);
    expect(embedTables(out, tables)).toBe(out);
    // Outside the blocks nothing changed.
    const outside = (s: string) => s.replace(/(<!--\s*ce-report:begin[^>]*-->)[\s\S]*?(<!--\s*ce-report:end\s*-->)/g, '$1$2');
    expect(outside(out)).toBe(outside(crlf));
  });

  it('leaves a file without markers unchanged', () => {
    const text = 'no markers here\r\nat all\n';
    expect(embedTables(text, tables)).toBe(text);
  });

  it('names the known tables when a name is unknown', () => {
    expect(() => embedTables('x\n<!-- ce-report:begin nope -->\n<!-- ce-report:end -->\n', tables)).toThrow(/line 2: no table named "nope".*known names: runs, study-x-chart/);
  });

  it('reports a missing end marker and nested blocks with their line', () => {
    expect(() => embedTables('a\nb\n<!-- ce-report:begin runs -->\nc\n', tables)).toThrow(/line 3: .*has no "<!-- ce-report:end -->"/);
    expect(() => embedTables('<!-- ce-report:begin runs -->\n<!-- ce-report:begin runs -->\n<!-- ce-report:end -->\n', tables)).toThrow(/line 2: a ce-report:begin block starts before/);
  });
});

describe('rebaseLinks', () => {
  it('prefixes our relative links and leaves absolute and escaped ones', () => {
    const text = '[a](runs/a.html) ![c](charts/c.svg) [abs](https://x.example/y) [anchor](#top) not a link: \\](runs/x)';
    expect(rebaseLinks(text, 'https://me.github.io/repo/')).toBe(
      '[a](https://me.github.io/repo/runs/a.html) ![c](https://me.github.io/repo/charts/c.svg) [abs](https://x.example/y) [anchor](#top) not a link: \\](runs/x)',
    );
    expect(rebaseLinks(text, '.')).toBe(text);
    expect(rebaseLinks('[a](runs/a.html)', 'site')).toBe('[a](site/runs/a.html)');
  });
});

describe('loadEmbeds from a rendered site', () => {
  it('reads the blocks renderSite wrote and embeds them with a link base', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'ce-embed-'));
    try {
      const { model, analysis } = sampleModel();
      await renderSite(model, analysis, dir, { title: 'Sample' });
      const loaded = await loadEmbeds(dir, { linkBase: 'public' });
      expect([...loaded.keys()]).toEqual(expect.arrayContaining(['runs', 'run-canary', 'run-evil-id', 'study-experiment-variant', 'study-experiment-variant-chart', 'study-scaling-workers']));
      const readme = '# R\n\n<!-- ce-report:begin runs -->\n<!-- ce-report:end -->\n\n<!-- ce-report:begin study-experiment-variant-chart -->\n<!-- ce-report:end -->\n\n<!-- ce-report:begin run-canary -->\n<!-- ce-report:end -->\n';
      const out = embedTables(readme, loaded);
      expect(out).toContain('[Canary (16 threads)](public/runs/canary.html)');
      expect(out).toContain('](public/charts/study-experiment-variant-ci.svg)');
      expect(out).toContain('| **All requests** |');
      expect(embedTables(out, loaded)).toBe(out);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('embedTables and markers shown as code', () => {
  const tables = new Map([['runs', '| a |\n| --- |\n| 1 |\n']]);

  it('leaves markers inside fenced blocks and inline code alone, and fills the real ones', () => {
    const doc = [
      '# Docs',
      'Write `<!-- ce-report:begin NAME -->` and `<!-- ce-report:end -->` around a block.',
      '',
      '```markdown',
      '<!-- ce-report:begin study-x -->',
      '<!-- ce-report:end -->',
      '```',
      '',
      '~~~~',
      '<!-- ce-report:begin nope -->',
      '~~~',
      '~~~~',
      '',
      '<!-- ce-report:begin runs -->',
      'old',
      '<!-- ce-report:end -->',
      'tail',
      '',
    ].join('\n');
    const out = embedTables(doc, tables);
    expect(out).toBe(doc.replace('<!-- ce-report:begin runs -->\nold\n', '<!-- ce-report:begin runs -->\n| a |\n| --- |\n| 1 |\n'));
  });

  it('a fence that is never closed makes the rest code (as Markdown renders it)', () => {
    const doc = '```\n<!-- ce-report:begin runs -->\n<!-- ce-report:end -->\n';
    expect(embedTables(doc, tables)).toBe(doc);
  });

  it('double-backtick spans hold single backticks', () => {
    const doc = 'see ``a ` <!-- ce-report:begin x --> b`` here\n<!-- ce-report:begin runs -->\n<!-- ce-report:end -->\n';
    expect(embedTables(doc, tables)).toContain('| 1 |');
  });
});

describe('rebaseLinks for a README', () => {
  it('points page links at the .md pages when asked, keeps anchors, charts and absolute links', () => {
    const md = '[Run](runs/a.html) [Sec](studies/s.html#verdict) ![c](charts/x.svg) [ext](https://e.org/p.html) \\[not\\](runs/b.html)';
    expect(rebaseLinks(md, 'site', 'md')).toBe('[Run](site/runs/a.md) [Sec](site/studies/s.md#verdict) ![c](site/charts/x.svg) [ext](https://e.org/p.html) \\[not\\](runs/b.html)');
    expect(rebaseLinks(md, 'https://me.github.io/repo/', 'html')).toBe('[Run](https://me.github.io/repo/runs/a.html) [Sec](https://me.github.io/repo/studies/s.html#verdict) ![c](https://me.github.io/repo/charts/x.svg) [ext](https://e.org/p.html) \\[not\\](runs/b.html)');
  });
});
