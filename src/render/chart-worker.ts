// A chart worker thread (see chart-pool.ts): loads vega once, then renders the specs it
// is sent strictly one after another (vega numbers SVG clip and gradient ids per
// thread, reset before each chart) and answers each with its SVG or an error message.
import { parentPort } from 'node:worker_threads';
import { renderSvg } from './svg.js';
import type { ChartRequest, ChartReply } from './chart-pool.js';

const port = parentPort;
if (!port) throw new Error('chart-worker.js runs as a worker thread only');

let queue: Promise<void> = Promise.resolve();

port.on('message', (req: ChartRequest) => {
  queue = queue.then(() =>
    renderSvg(req.spec, req.idPrefix).then(
      (svg) => port.postMessage({ id: req.id, svg } satisfies ChartReply),
      (e: unknown) => port.postMessage({ id: req.id, error: e instanceof Error ? e.message : String(e) } satisfies ChartReply),
    ),
  );
});

// Loaded (vega with it): chart-pool.ts ignores this; worker-start.ts restores V8's tuned flags on it.
port.postMessage({ ready: true });
