// Chart rendering off the main thread: vega takes most of a build's time, and each
// chart is independent, so a small pool of worker threads renders them while the main
// thread goes on with the pages. Started early (build.ts), the workers load vega while
// the inputs are read. Every chart is rendered alone from its own spec (ids reset per
// chart, see svg.ts) and answers are matched by request id, so the output does not
// depend on which worker drew what or in which order.
import { existsSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { TopLevelSpec } from 'vega-lite';
import { startWorker } from '../worker-start.js';

export interface ChartRequest {
  id: number;
  spec: TopLevelSpec;
  idPrefix: string;
}

export type ChartReply = { id: number; svg: string; error?: undefined } | { id: number; error: string; svg?: undefined };

export interface ChartRenderer {
  /** The chart as an SVG string (see svg.ts renderSvg). */
  render(spec: TopLevelSpec, idPrefix: string): Promise<string>;
  /**
   * Draws charts that no worker has taken yet on this thread, until none are left
   * waiting. For a caller with nothing else to do: otherwise this core would sit idle
   * while the workers finish the queue. Optional: renderers may leave it out.
   */
  assist?(): Promise<void>;
  /** Stops the workers; pending renders are rejected. */
  close(): Promise<void>;
}

const WORKER_URL = new URL('./chart-worker.js', import.meta.url);
/** More threads than this cost more in loading vega than they save on a site's few dozen charts. */
const MAX_THREADS = 4;

/**
 * Worker threads need the compiled worker module (dist/); from the TypeScript sources
 * (the test runner) it is not there and charts are drawn on the main thread.
 * CE_REPORT_CHART_THREADS=0 forces that too (for debugging and comparisons).
 */
export function chartThreads(): number {
  const env = process.env.CE_REPORT_CHART_THREADS;
  const wanted = env !== undefined && /^\d+$/.test(env) ? Number(env) : threadsForFreeCores(availableParallelism(), loadavg()[0] ?? 0);
  if (wanted < 1 || WORKER_URL.protocol !== 'file:' || !existsSync(fileURLToPath(WORKER_URL))) return 0;
  return wanted;
}

/**
 * One thread per idle core, at least one. Each thread loads vega and warms it up on its
 * own (~0.2 s of CPU more per thread), which pays off only when the cores are free: on
 * a busy machine a second thread made builds slower (measured on 2 cores, load ~6).
 */
export function threadsForFreeCores(cores: number, load1: number): number {
  return Math.max(1, Math.min(MAX_THREADS, Math.round(cores - load1)));
}

export function startChartRenderer(threads = chartThreads()): ChartRenderer {
  return threads > 0 ? workerRenderer(threads) : inProcessRenderer();
}

/** Charts drawn on this thread, one at a time (vega numbers SVG ids globally). */
function inProcessRenderer(): ChartRenderer {
  let queue: Promise<unknown> = Promise.resolve();
  return {
    render(spec, idPrefix) {
      const next = queue.then(async () => (await import('./svg.js')).renderSvg(spec, idPrefix));
      queue = next.catch(() => undefined);
      return next;
    },
    close: async () => {},
  };
}

interface Pending {
  request: ChartRequest;
  resolve: (svg: string) => void;
  reject: (e: Error) => void;
}

/** A chart that could not be drawn, by whichever thread tried. */
function chartError(request: ChartRequest, message: string): Error {
  return new Error(`chart ${request.idPrefix}: ${message}`);
}

interface Slot {
  worker: Worker;
  /** Requests sent and not answered; the worker draws them one after another. */
  inFlight: Map<number, Pending>;
}

/**
 * Requests queued at each worker: more than one, so a worker goes on drawing while the
 * main thread is busy writing pages and cannot hand out the next chart at once.
 */
const WINDOW = 3;

function workerRenderer(threads: number): ChartRenderer {
  const waiting: Pending[] = [];
  let nextId = 0;
  let failure: Error | null = null;
  let closed = false;

  const fail = (e: Error) => {
    if (!failure) failure = e;
    for (const s of slots) {
      for (const p of s.inFlight.values()) p.reject(failure);
      s.inFlight.clear();
    }
    for (const p of waiting.splice(0)) p.reject(failure);
  };

  const dispatch = () => {
    // Fill the least busy worker first, so the work spreads evenly.
    for (;;) {
      const slot = slots.reduce((a, b) => (b.inFlight.size < a.inFlight.size ? b : a));
      if (waiting.length === 0 || slot.inFlight.size >= WINDOW) return;
      const p = waiting.shift() as Pending;
      slot.inFlight.set(p.request.id, p);
      // Ref'd only while drawing: a renderer nobody closed never keeps the process alive.
      slot.worker.ref();
      slot.worker.postMessage(p.request);
    }
  };

  const slots: Slot[] = Array.from({ length: threads }, () => {
    const slot: Slot = { worker: startWorker(WORKER_URL), inFlight: new Map() };
    slot.worker.unref();
    slot.worker.on('message', (m: ChartReply | { ready: true }) => {
      if (!('id' in m)) return;
      const done = slot.inFlight.get(m.id);
      if (!done) return;
      slot.inFlight.delete(m.id);
      if (slot.inFlight.size === 0) slot.worker.unref();
      if (m.error !== undefined) done.reject(chartError(done.request, m.error));
      else done.resolve(m.svg);
      dispatch();
    });
    slot.worker.on('error', (e) => fail(new Error(`internal: a chart worker failed: ${e.message}`)));
    slot.worker.on('exit', (code) => {
      if (!closed) fail(new Error(`internal: a chart worker stopped (exit code ${code})`));
    });
    return slot;
  });

  return {
    render(spec, idPrefix) {
      return new Promise<string>((resolve, reject) => {
        if (closed || failure) return reject(failure ?? new Error('internal: the chart renderer is closed'));
        waiting.push({ request: { id: nextId++, spec, idPrefix }, resolve, reject });
        dispatch();
      });
    },
    async assist() {
      if (waiting.length === 0 || failure || closed) return;
      // vega loads on this thread only now: until here the thread had pages to write.
      const { renderSvg } = await import('./svg.js');
      while (waiting.length > 0 && !failure && !closed) {
        // From the end: the workers take from the front, so neither waits on the other.
        const p = waiting.pop() as Pending;
        try {
          p.resolve(await renderSvg(p.request.spec, p.request.idPrefix));
        } catch (e) {
          p.reject(chartError(p.request, e instanceof Error ? e.message : String(e)));
        }
        // Lets the workers' answers in, so they are handed their next charts.
        await new Promise((resolve) => setImmediate(resolve));
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      fail(new Error('internal: the chart renderer is closed'));
      await Promise.all(slots.map((s) => s.worker.terminate()));
    },
  };
}
