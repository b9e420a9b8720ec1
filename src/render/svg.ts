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
    runtime = vega.parse(compileShape(shape));
    if (runtimeByShape.size >= SHAPE_CACHE_LIMIT) runtimeByShape.clear();
    runtimeByShape.set(key, runtime);
  }
  return runtime;
}

/**
 * vega-lite compiles of shapes that differ only in their top-level title, the numbers
 * of explicit scale domains and the colours of explicit scale ranges (the same chart on
 * runs of other lengths, names or colours): about two thirds of the shapes of a site.
 * vega-lite copies all three into the Vega spec unchanged, so the template is compiled
 * once with placeholders that are then replaced by each chart's values. If a placeholder shows up anywhere else in the output (inside an expression,
 * say), the chart is compiled on its own instead.
 */
const compiledByTemplate = new Map<string, object>();
const TITLE_PLACEHOLDER = 'ce-title-placeholder-4b1d';
/** The placeholder of the i-th distinct domain number x is sign(x) * (PLACEHOLDER_BASE + i): integers no chart spec carries. */
const PLACEHOLDER_BASE = 7_340_000_123;
/** The placeholder of the i-th distinct range colour is COLOR_PLACEHOLDER + i. */
const COLOR_PLACEHOLDER = 'ce-color-placeholder-9e2a-';
const HEX_COLOR = /^#[0-9a-fA-F]{6}$/;

interface Template {
  spec: object;
  title: string | undefined;
  domainValues: number[];
  colors: string[];
}

function templateOf(shape: object): Template | undefined {
  const top = shape as Record<string, unknown>;
  const title = typeof top['title'] === 'string' ? top['title'] : undefined;
  const domainValues: number[] = [];
  const colors: string[] = [];
  let clash = false;
  const visit = (node: unknown, key: string | undefined): unknown => {
    if (typeof node === 'number' && Math.abs(node) >= PLACEHOLDER_BASE && Math.abs(node) < PLACEHOLDER_BASE + 1e6) clash = true;
    if (typeof node === 'string' && (node.includes(TITLE_PLACEHOLDER) || node.includes(COLOR_PLACEHOLDER))) clash = true;
    if (Array.isArray(node)) return node.map((v) => visit(v, undefined));
    if (node === null || typeof node !== 'object') return node;
    const obj = node as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(obj)) {
      if (key === 'scale' && k === 'domain' && Array.isArray(v) && v.every((x) => typeof x === 'number' && Number.isFinite(x))) {
        // Equal numbers share a placeholder (vega-lite merges equal domains of layers),
        // and placeholders keep the sign, zero stays zero: vega-lite's default for
        // `zero` depends on whether the domain spans zero.
        out[k] = (v as number[]).map((x) => {
          if (x === 0) return x;
          let i = domainValues.indexOf(x);
          if (i < 0) i = domainValues.push(x) - 1;
          return Math.sign(x) * (PLACEHOLDER_BASE + i);
        });
      } else if (key === 'scale' && k === 'range' && Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string' && HEX_COLOR.test(x))) {
        out[k] = (v as string[]).map((x) => {
          let i = colors.indexOf(x);
          if (i < 0) i = colors.push(x) - 1;
          return COLOR_PLACEHOLDER + i;
        });
      } else {
        out[k] = visit(v, k);
      }
    }
    return out;
  };
  const spec = visit(shape, undefined) as Record<string, unknown>;
  if (clash) return undefined;
  if (title !== undefined) spec['title'] = TITLE_PLACEHOLDER;
  return { spec, title, domainValues, colors };
}

function compileShape(shape: object): object {
  const template = templateOf(shape);
  if (!template) return vl.compile(shape as TopLevelSpec).spec;
  const key = JSON.stringify(template.spec);
  let compiled = compiledByTemplate.get(key);
  if (!compiled) {
    compiled = vl.compile(template.spec as TopLevelSpec).spec;
    if (compiledByTemplate.size >= SHAPE_CACHE_LIMIT) compiledByTemplate.clear();
    compiledByTemplate.set(key, compiled);
  }
  let leftover = false;
  const fill = (node: unknown): unknown => {
    if (typeof node === 'number' && Math.abs(node) >= PLACEHOLDER_BASE && Math.abs(node) < PLACEHOLDER_BASE + template.domainValues.length) return template.domainValues[Math.abs(node) - PLACEHOLDER_BASE];
    if (typeof node === 'string') {
      if (node === TITLE_PLACEHOLDER && template.title !== undefined) return template.title;
      const i = node.startsWith(COLOR_PLACEHOLDER) ? Number(node.slice(COLOR_PLACEHOLDER.length)) : -1;
      if (i >= 0 && i < template.colors.length && node === COLOR_PLACEHOLDER + i) return template.colors[i];
      if (node.includes(TITLE_PLACEHOLDER) || node.includes(COLOR_PLACEHOLDER) || node.includes(String(PLACEHOLDER_BASE).slice(0, 6))) leftover = true;
      return node;
    }
    if (Array.isArray(node)) return node.map(fill);
    if (node === null || typeof node !== 'object') return node;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) out[k] = fill(v);
    return out;
  };
  const filled = fill(compiled) as object;
  return leftover ? vl.compile(shape as TopLevelSpec).spec : filled;
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
