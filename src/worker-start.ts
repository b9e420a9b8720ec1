// Starting worker threads with the V8 flags Node's code cache was made with. The CLI sets
// V8's interrupt budget at start (v8-tuning.ts); a flag changed at run time changes V8's
// flag hash, so every new thread's isolate rejects Node's built-in code cache and compiles
// Node's internal modules from source: a worker came online in ~56 ms instead of ~28 ms
// (measured on 2 cores, the NDJSON worker: ready 82 ms against 45 ms). Built-in modules a
// worker requires later (vega's, in the chart worker) are compiled then, against the flags
// of that moment: 73 ms of a chart worker's start. So the budget goes back to V8's default
// while a worker starts, and the tuned one returns with its first message (each worker
// posts one once it has loaded: ready, or its first piece of work); in between, this
// thread's functions count towards optimization as V8 would anyway.
import { setFlagsFromString } from 'node:v8';
import { Worker, type WorkerOptions } from 'node:worker_threads';
import { DEFAULT_INTERRUPT_BUDGET, tunedInterruptBudget } from './v8-tuning-state.js';

let booting = 0;

export function startWorker(url: URL, options?: WorkerOptions): Worker {
  const tuned = tunedInterruptBudget();
  if (tuned === null) return new Worker(url, options);
  if (booting++ === 0) setFlagsFromString(`--interrupt-budget=${DEFAULT_INTERRUPT_BUDGET}`);
  const worker = new Worker(url, options);
  let started = false;
  const loaded = () => {
    if (started) return;
    started = true;
    if (--booting === 0) setFlagsFromString(`--interrupt-budget=${tuned}`);
  };
  worker.once('message', loaded);
  worker.once('error', loaded);
  worker.once('exit', loaded);
  return worker;
}
