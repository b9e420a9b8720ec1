// V8 tuning for a command that runs for seconds, imported first by the CLI (and by the
// benchmark, so it measures what users run). By default V8 hands a function to its
// optimizing compiler (TurboFan, on background threads) after little use. A build
// calls thousands of functions of vega, remark and handlebars only a few times each,
// and on 2 cores those compiles took ~40% of a build's CPU: the bundled example spent
// ~2 s of CPU in compiler threads for a 2.8 s build. A larger interrupt budget leaves
// lukewarm functions to the interpreter and baseline code and optimizes only the hot
// ones (the scanners, vega's inner loops), which still get there within milliseconds.
// Measured on the bundled example (2 cores, interleaved runs): CPU 5.3 -> 3.8 s, wall
// 3.15 -> 2.35 s median; 1 GiB of NDJSON, plain or gzip, reads as fast as before.
import { setFlagsFromString } from 'node:v8';
import { DEFAULT_INTERRUPT_BUDGET, markInterruptBudget } from './v8-tuning-state.js';

/** 8x V8's default (67584): measured 2x, 4x, 8x and 15x; 8x was as good as any. */
export const INTERRUPT_BUDGET = 8 * DEFAULT_INTERRUPT_BUDGET;

/** A budget the user set (node --interrupt-budget=..., NODE_OPTIONS) is theirs to keep. */
const userSet = [...process.execArgv, process.env.NODE_OPTIONS ?? ''].some((a) => a.includes('interrupt-budget'));
if (!userSet) {
  setFlagsFromString(`--interrupt-budget=${INTERRUPT_BUDGET}`);
  // Worker threads are started with V8's default for their boot (worker-start.ts).
  markInterruptBudget(INTERRUPT_BUDGET);
}
