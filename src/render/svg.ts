// Vega-Lite spec → SVG string, with vega-lite + vega `View#toSVG` (no browser, no
// canvas). Only the chart workers (chart-worker.ts) and the in-process fallback of
// chart-pool.ts import this module, so commands that draw no chart never load vega.
import { createRequire } from 'node:module';
import type * as Vega from 'vega';
import type { TopLevelSpec } from 'vega-lite';

// vega and vega-lite ship CommonJS for Node. Loaded with require, not import: an ESM
// import of CommonJS has Node scan every module of the bundle for its export names
// first, ~0.2 s per thread, and a worker thread pays it on every build.
const require = createRequire(import.meta.url);
const vega = require('vega') as typeof Vega;
const vl = require('vega-lite') as typeof import('vega-lite');

/** A loader that refuses everything: charts carry their data inline and must never fetch. */
const refuse = async (): Promise<never> => {
  throw new Error('charts may not load external resources');
};
const NO_LOADER = { load: refuse, sanitize: refuse, http: refuse, file: refuse };

/** Names given to the inline datasets of a spec while it is compiled without them. */
const DATA_PREFIX = 'ce_inline_';

interface Shape {
  /** The spec with every inline `data: {values}` replaced by `data: {name}`. */
  spec: object;
  /** The values of each named dataset, by name. */
  datasets: Map<string, unknown[]>;
}

/**
 * Takes the data values out of a spec. Equal datasets share one name, as vega-lite
 * shares one source for equal inline data, so the dataflow stays the same.
 */
function splitData(spec: TopLevelSpec): Shape {
  const datasets = new Map<string, unknown[]>();
  const nameOf = new Map<string, string>();
  const visit = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(visit);
    if (node === null || typeof node !== 'object') return node;
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(node)) {
      if (key === 'data' && isInlineData(value)) {
        const text = JSON.stringify(value.values);
        let name = nameOf.get(text);
        if (name === undefined) {
          name = `${DATA_PREFIX}${nameOf.size}`;
          nameOf.set(text, name);
          datasets.set(name, value.values);
        }
        out[key] = { name };
      } else {
        out[key] = visit(value);
      }
    }
    return out;
  };
  return { spec: visit(spec) as object, datasets };
}

function isInlineData(value: unknown): value is { values: unknown[] } {
  return typeof value === 'object' && value !== null && Object.keys(value).length === 1 && Array.isArray((value as { values?: unknown }).values);
}

/**
 * Charts by shape (the Vega-Lite spec without its data values), compiled by vega-lite
 * and parsed by vega once: neither step looks at inline values, and together they are
 * about half the cost of a chart, so charts of the same shape (the same series chart
 * on several runs) pay it once. Bounded: a site has a few dozen shapes.
 */
const runtimeByShape = new Map<string, Vega.Runtime>();
const SHAPE_CACHE_LIMIT = 500;

function runtimeOf(shape: object): Vega.Runtime {
  const key = JSON.stringify(shape);
  let runtime = runtimeByShape.get(key);
  if (!runtime) {
    runtime = parseShape(shape);
    if (runtimeByShape.size >= SHAPE_CACHE_LIMIT) runtimeByShape.clear();
    runtimeByShape.set(key, runtime);
  }
  return runtime;
}

/**
 * Templates: many shapes differ only in their titles (the chart's, the axes' and
 * legends'), the numbers of explicit scale domains, the labels of explicit colour domains
 * and the colours of marks and explicit scale ranges: the same chart on runs of other
 * lengths, names or colours, or of another percentile. vega-lite and vega copy these
 * values unchanged, as whole values or (titles, in the marks' ARIA descriptions) inside
 * the string literals of expressions and their generated code. So a template, the shape
 * with each such value replaced by a placeholder, is compiled by vega-lite and parsed by
 * vega once, and each chart gets a copy of the parsed runtime with its own values put
 * back. A template whose placeholders show up anywhere else (a merged axis title, say)
 * is not used, and a text that a literal would carry escaped makes its chart compile on
 * its own: see placeholderUse.
 */
interface Filled {
  /** The output with placeholders, or null when they cannot be filled in (see placeholderUse). */
  value: object | null;
  /** Whether texts or colours occur inside expression literals, not only as whole values. */
  textsInExpressions: boolean;
}
/** Per template: the Vega spec vega-lite compiled from it, and that spec parsed by vega (made when first needed). */
const byTemplate = new Map<string, { compiled: Filled; runtime?: Filled }>();
/** The placeholder of the i-th distinct text: `${TEXT_PLACEHOLDER}${i}-end`. */
const TEXT_PLACEHOLDER = 'ce-text-placeholder-4b1d-';
const TEXT_TOKEN = /ce-text-placeholder-4b1d-(\d+)-end/g;
/** The placeholder of the i-th distinct domain number x is sign(x) * (PLACEHOLDER_BASE + i): integers no chart spec carries. */
const PLACEHOLDER_BASE = 7_340_000_123;
const PLACEHOLDER_SPAN = 1e6;
/** The placeholder of the i-th distinct colour: `${COLOR_PLACEHOLDER}${i}-end`. */
const COLOR_PLACEHOLDER = 'ce-color-placeholder-9e2a-';
const COLOR_TOKEN = /ce-color-placeholder-9e2a-(\d+)-end/g;
/** Either kind of token, whole. */
const WHOLE_TOKEN = /^ce-(text|color)-placeholder-(?:4b1d|9e2a)-(\d+)-end$/;
const HEX_COLOR = /^#[0-9a-fA-F]{6}$/;
const MARK_COLORS = new Set(['color', 'fill', 'stroke']);

interface Template {
  spec: object;
  texts: string[];
  domainValues: number[];
  colors: string[];
}

const textToken = (i: number) => `${TEXT_PLACEHOLDER}${i}-end`;
const isPlaceholderNumber = (x: unknown): x is number => typeof x === 'number' && Math.abs(x) >= PLACEHOLDER_BASE && Math.abs(x) < PLACEHOLDER_BASE + PLACEHOLDER_SPAN;
const mentionsPlaceholder = (s: string) => s.includes(TEXT_PLACEHOLDER) || s.includes(COLOR_PLACEHOLDER) || s.includes(String(PLACEHOLDER_BASE).slice(0, 6));

function templateOf(shape: object): Template | undefined {
  const texts: string[] = [];
  const domainValues: number[] = [];
  const colors: string[] = [];
  let clash = false;
  const text = (x: string) => {
    let i = texts.indexOf(x);
    if (i < 0) i = texts.push(x) - 1;
    return textToken(i);
  };
  const color = (x: string) => {
    let i = colors.indexOf(x);
    if (i < 0) i = colors.push(x) - 1;
    return `${COLOR_PLACEHOLDER}${i}-end`;
  };
  const visit = (node: unknown, key: string | undefined): unknown => {
    if (isPlaceholderNumber(node)) clash = true;
    if (typeof node === 'string' && mentionsPlaceholder(node)) clash = true;
    if (Array.isArray(node)) return node.map((v) => visit(v, undefined));
    if (node === null || typeof node !== 'object') return node;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node as Record<string, unknown>)) {
      if (typeof v === 'string' && mentionsPlaceholder(v)) clash = true;
      // Only non-empty texts: vega-lite leaves an empty title out altogether.
      if (k === 'title' && typeof v === 'string' && v !== '') {
        out[k] = text(v);
      } else if (key === 'mark' && MARK_COLORS.has(k) && typeof v === 'string' && HEX_COLOR.test(v)) {
        out[k] = color(v);
      } else if (key === 'scale' && k === 'domain' && Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'number' && Number.isFinite(x))) {
        // Equal numbers share a placeholder (vega-lite merges equal domains of layers),
        // and placeholders keep the sign, zero stays zero: vega-lite's default for
        // `zero` depends on whether the domain spans zero.
        out[k] = (v as number[]).map((x) => {
          if (x === 0) return x;
          let i = domainValues.indexOf(x);
          if (i < 0) i = domainValues.push(x) - 1;
          return Math.sign(x) * (PLACEHOLDER_BASE + i);
        });
      } else if (key === 'scale' && k === 'domain' && Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string' && x !== '')) {
        out[k] = (v as string[]).map(text);
      } else if (key === 'scale' && k === 'range' && Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string' && HEX_COLOR.test(x))) {
        out[k] = (v as string[]).map(color);
      } else {
        out[k] = visit(v, k);
      }
    }
    return out;
  };
  const spec = visit(shape, undefined) as object;
  if (clash || domainValues.length >= PLACEHOLDER_SPAN) return undefined;
  return { spec, texts, domainValues, colors };
}

/**
 * Whether every text and colour placeholder in an expression (or its code) sits inside
 * a double-quoted string literal, where vega-lite and vega write such values, and no
 * number placeholder occurs.
 */
function tokensQuotedIn(expr: string, t: Template): boolean {
  if (expr.includes(String(PLACEHOLDER_BASE).slice(0, 6))) return false;
  const tokens = [...expr.matchAll(TEXT_TOKEN), ...expr.matchAll(COLOR_TOKEN)].sort((a, b) => a.index! - b.index!);
  if (tokens.length === 0) return false;
  for (const m of tokens) if (Number(m[1]) >= (m[0].startsWith(TEXT_PLACEHOLDER) ? t.texts : t.colors).length) return false;
  let quote = '';
  let k = 0;
  for (let i = 0; i < expr.length; i++) {
    const c = expr[i];
    if (k < tokens.length && i === tokens[k]!.index) {
      if (quote !== '"') return false;
      i += tokens[k]![0].length - 1;
      k++;
    } else if (quote !== '') {
      if (c === '\\') i++;
      else if (c === quote) quote = '';
    } else if (c === '"' || c === "'") {
      quote = c;
    }
  }
  // Every token was met in the scan (none hidden behind an escape), and no broken ones are left.
  return k === tokens.length && !mentionsPlaceholder(expr.replace(TEXT_TOKEN, '').replace(COLOR_TOKEN, ''));
}

/**
 * How a template's compiled output carries its placeholders: null when anywhere but as
 * whole values or quoted in expressions (putting a chart's values in their place might
 * then not give that chart's own compile), else whether texts occur in expressions.
 */
function placeholderUse(compiled: unknown, t: Template): { textsInExpressions: boolean } | null {
  let textsInExpressions = false;
  const ok = (node: unknown, key: string | undefined): boolean => {
    if (isPlaceholderNumber(node)) {
      const x = t.domainValues[Math.abs(node) - PLACEHOLDER_BASE];
      return x !== undefined && Math.sign(x) === Math.sign(node);
    }
    if (typeof node === 'string') {
      if (!mentionsPlaceholder(node)) return true;
      const m = WHOLE_TOKEN.exec(node);
      if (m) return Number(m[2]) < (m[1] === 'text' ? t.texts : t.colors).length;
      // Expressions in the Vega spec (signal, expr) and their code in vega's runtime (code).
      if ((key === 'signal' || key === 'expr' || key === 'code') && tokensQuotedIn(node, t)) return (textsInExpressions = true);
      return false;
    }
    if (Array.isArray(node)) return node.every((v) => ok(v, undefined));
    if (node === null || typeof node !== 'object') return true;
    return Object.entries(node).every(([k, v]) => ok(v, k));
  };
  return ok(compiled, undefined) ? { textsInExpressions } : null;
}

/**
 * Texts that an expression literal would carry escaped (quotes, backslashes, control and
 * line-separator characters). vega-lite's escaping of them is its own business, so a
 * chart with such a title in an expression is compiled on its own; any other text goes
 * into the literal as it is.
 */
const NEEDS_ESCAPE = /["\\\u0000-\u001f\u2028\u2029]/;

function filled(value: object, t: Template): Filled {
  const use = placeholderUse(value, t);
  return use ? { value, ...use } : { value: null, textsInExpressions: false };
}

/** The shape compiled by vega-lite and parsed by vega, through its template when that can be used. */
function parseShape(shape: object): Vega.Runtime {
  const template = templateOf(shape);
  if (!template) return vega.parse(vl.compile(shape as TopLevelSpec).spec);
  const key = JSON.stringify(template.spec);
  let entry = byTemplate.get(key);
  if (!entry) {
    entry = { compiled: filled(vl.compile(template.spec as TopLevelSpec).spec, template) };
    if (byTemplate.size >= SHAPE_CACHE_LIMIT) byTemplate.clear();
    byTemplate.set(key, entry);
  }
  const fits = (f: Filled) => f.value !== null && !(f.textsInExpressions && template.texts.some((t) => NEEDS_ESCAPE.test(t)));
  if (!fits(entry.compiled)) return vega.parse(vl.compile(shape as TopLevelSpec).spec);
  entry.runtime ??= filled(vega.parse(entry.compiled.value!) as object, template);
  if (fits(entry.runtime)) return fillPlaceholders(entry.runtime.value!, template) as Vega.Runtime;
  return vega.parse(fillPlaceholders(entry.compiled.value!, template));
}

/** A copy of `node` with each placeholder of the template replaced by the chart's value. */
function fillPlaceholders(node: object, { texts, colors, domainValues }: Template): object {
  const fill = (x: unknown): unknown => {
    if (isPlaceholderNumber(x)) return domainValues[Math.abs(x) - PLACEHOLDER_BASE];
    if (typeof x === 'string') {
      if (!mentionsPlaceholder(x)) return x;
      const whole = WHOLE_TOKEN.exec(x);
      if (whole) return (whole[1] === 'text' ? texts : colors)[Number(whole[2])];
      // Inside the string literals of an expression or its code (checked by placeholderUse).
      return x.replace(TEXT_TOKEN, (_, i: string) => texts[Number(i)]!).replace(COLOR_TOKEN, (_, i: string) => colors[Number(i)]!);
    }
    if (Array.isArray(x)) return x.map(fill);
    if (x === null || typeof x !== 'object') return x;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(x)) out[k] = fill(v);
    return out;
  };
  return fill(node) as object;
}

/**
 * Renders a spec to an SVG string. `idPrefix` makes clip-path and gradient ids unique
 * on a page that inlines several charts (vega numbers them from 1 on every render).
 */
export async function renderSvg(spec: TopLevelSpec, idPrefix: string): Promise<string> {
  const { spec: shape, datasets } = splitData(spec);
  const runtime = runtimeOf(shape);
  // Not in vega's typings, but exported by vega-scenegraph through vega.
  (vega as unknown as { resetSVGDefIds?: () => void }).resetSVGDefIds?.();
  const view = new vega.View(runtime, { renderer: 'none', loader: NO_LOADER as unknown as Vega.Loader, logLevel: vega.Error });
  try {
    // The chart's values go into the shape's (empty) named datasets before the first run.
    for (const [name, values] of datasets) view.data(name, values);
    const svg = await view.toSVG();
    return svg
      .replace(/id="((?:clip|gradient_|p_gradient_)\d+)"/g, `id="${idPrefix}-$1"`)
      .replace(/url\(#((?:clip|gradient_|p_gradient_)\d+)\)/g, `url(#${idPrefix}-$1)`);
  } finally {
    view.finalize();
  }
}
