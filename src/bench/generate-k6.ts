// Writes realistic k6 `--out json` output of a chosen size, for the benchmark: every
// metric k6 emits per request and per iteration, Metric declarations before a metric's
// first sample, tags as k6 writes them, nanosecond times slightly out of order (several
// VUs flush together), a few failed requests, vus/vus_max once a second.
// Three shapes (`shape`):
//   k6     what k6 writes for its own metrics: times in ms with at most 6 decimals
//   long   custom Trend metrics fed from JavaScript arithmetic (Date.now() differences
//          scaled, model timings in ms): every value printed with its 16-17 significant
//          digits, as JSON.stringify writes a double; the http_req_* values too
//   tags   many tags per sample: a test run's own tags (--tag, options.tags: team,
//          region, build, ...) and a per-request instance tag, 20 tags in all
import { closeSync, openSync, writeSync } from 'node:fs';
import { seededRng } from '../analyze/prng.js';

interface Endpoint {
  name: string;
  method: string;
  url: string;
  tag: string;
  /** Median latency in ms. */
  medianMs: number;
  failRate: number;
}

const ENDPOINTS: Endpoint[] = [
  { name: 'GET /', method: 'GET', url: 'http://127.0.0.1:18080/', tag: 'root', medianMs: 8, failRate: 0.005 },
  { name: 'POST /predict', method: 'POST', url: 'http://127.0.0.1:18080/predict', tag: 'predict', medianMs: 40, failRate: 0.02 },
  { name: 'GET /health', method: 'GET', url: 'http://127.0.0.1:18080/health', tag: 'health', medianMs: 2, failRate: 0 },
  { name: 'POST /batch', method: 'POST', url: 'http://127.0.0.1:18080/batch', tag: 'batch', medianMs: 120, failRate: 0.01 },
];

const DECLARATIONS: Record<string, [string, string]> = {
  http_reqs: ['counter', 'default'],
  http_req_duration: ['trend', 'time'],
  http_req_blocked: ['trend', 'time'],
  http_req_connecting: ['trend', 'time'],
  http_req_tls_handshaking: ['trend', 'time'],
  http_req_sending: ['trend', 'time'],
  http_req_waiting: ['trend', 'time'],
  http_req_receiving: ['trend', 'time'],
  http_req_failed: ['rate', 'default'],
  checks: ['rate', 'default'],
  data_sent: ['counter', 'data'],
  data_received: ['counter', 'data'],
  iteration_duration: ['trend', 'time'],
  iterations: ['counter', 'default'],
  vus: ['gauge', 'default'],
  vus_max: ['gauge', 'default'],
  model_inference_ms: ['trend', 'default'],
  queue_wait_ms: ['trend', 'default'],
};

/** Unix seconds of the generated run's start. */
const START_S = 1_795_000_000;

// Times are integer nanoseconds after START_S as plain numbers (exact up to 104 days);
// the "YYYY-MM-DDThh:mm:ss" part is formatted once per second. Like Go's RFC3339Nano
// (what k6 writes), trailing zeros of the fraction are dropped, so lengths vary.
let isoSecond = -1;
let isoPrefix = '';
function isoNanos(ns: number): string {
  const sec = Math.floor(ns / 1e9);
  if (sec !== isoSecond) {
    isoSecond = sec;
    isoPrefix = new Date((START_S + sec) * 1000).toISOString().slice(0, 19);
  }
  const frac = ns - sec * 1e9;
  if (frac === 0) return isoPrefix + 'Z';
  return isoPrefix + '.' + String(frac).padStart(9, '0').replace(/0+$/, '') + 'Z';
}

export type K6Shape = 'k6' | 'long' | 'tags';
export const K6_SHAPES: readonly K6Shape[] = ['k6', 'long', 'tags'];

export interface GenerateResult {
  bytes: number;
  lines: number;
  requests: number;
}

/** Writes about `targetBytes` of k6 NDJSON to `file` (whole iterations, so slightly more). */
export function generateK6Ndjson(file: string, targetBytes: number, seed = 1, shape: K6Shape = 'k6'): GenerateResult {
  // Seeded, so every run of the benchmark reads the same file.
  const rand = seededRng(seed);
  const fd = openSync(file, 'w');
  const declared = new Set<string>();
  let out: string[] = [];
  let outLen = 0;
  let bytes = 0;
  let lines = 0;
  let requests = 0;
  const flush = () => {
    const s = out.join('');
    writeSync(fd, s);
    bytes += Buffer.byteLength(s);
    out = [];
    outLen = 0;
  };
  const emit = (metric: string, timeNs: number, value: number, tags: string) => {
    if (!declared.has(metric)) {
      declared.add(metric);
      const [type, contains] = DECLARATIONS[metric]!;
      const thresholds = metric === 'http_req_failed' ? '["rate<0.05"]' : metric === 'http_req_duration' ? '["p(95)<500"]' : '[]';
      out.push(`{"type":"Metric","data":{"name":"${metric}","type":"${type}","contains":"${contains}","thresholds":${thresholds},"submetrics":null},"metric":"${metric}"}\n`);
      lines++;
    }
    const line = `{"metric":"${metric}","type":"Point","data":{"time":"${isoNanos(timeNs)}","value":${value},"tags":${tags}}}\n`;
    out.push(line);
    outLen += line.length;
    lines++;
  };
  const vus = 50;
  // Each VU runs iterations back to back: one request to a random endpoint, a check, a short sleep.
  const vuClock: number[] = [];
  for (let v = 0; v < vus; v++) vuClock.push(Math.floor(rand() * 1e9));
  let nextGaugeNs = 0;
  const latency = (median: number) => median * Math.exp(0.6 * Math.sqrt(-2 * Math.log(rand() || 1e-12)) * Math.cos(2 * Math.PI * rand()));
  // k6 prints a time.Duration in ms as float64(d)/1e6: at most 6 decimals. A custom metric
  // fed from arithmetic prints all of a double's digits.
  const round6 = shape === 'long' ? (x: number) => x * (1 + 1e-9 * rand()) : (x: number) => Math.round(x * 1e6) / 1e6;
  const runTags =
    shape === 'tags'
      ? ',"build":"2026.11.18-4f2a9c1","cluster":"eu-west-1a","dataset":"holdout-v3","env":"staging","git_sha":"4f2a9c1e","model":"resnet50-int8","region":"eu-west-1","team":"ml-platform","test_id":"nightly-1142","variant":"canary"'
      : '';

  while (bytes + outLen < targetBytes) {
    // The VU furthest behind goes next; this keeps times nearly ordered, as k6's output is.
    let v = 0;
    for (let i = 1; i < vus; i++) if (vuClock[i]! < vuClock[v]!) v = i;
    const t = vuClock[v]!;
    while (nextGaugeNs <= t) {
      emit('vus', nextGaugeNs, vus, '{"scenario":"steady"}');
      emit('vus_max', nextGaugeNs, vus, '{}');
      nextGaugeNs += 1e9;
    }
    const ep = ENDPOINTS[Math.floor(rand() * ENDPOINTS.length)]!;
    const failed = rand() < ep.failRate;
    const status = failed ? '500' : '200';
    const duration = round6(latency(ep.medianMs));
    const instance = shape === 'tags' ? `,"instance":"pod-${Math.floor(rand() * 8)}"` : '';
    const tags = `{"endpoint":"${ep.tag}","expected_response":"${failed ? 'false' : 'true'}","group":"","method":"${ep.method}","name":"${ep.name}","proto":"HTTP/1.1","scenario":"steady","status":"${status}","url":"${ep.url}"${instance}${runTags}}`;
    const doneNs = t + Math.round(duration * 1e6);
    // k6 stamps a request's samples with one time; VUs flush out of order by a few ms.
    const stamp = doneNs - Math.floor(rand() * 3e6);
    emit('http_reqs', stamp, 1, tags);
    emit('http_req_duration', stamp, duration, tags);
    emit('http_req_blocked', stamp, round6(rand() * 0.01), tags);
    emit('http_req_connecting', stamp, 0, tags);
    emit('http_req_tls_handshaking', stamp, 0, tags);
    emit('http_req_sending', stamp, round6(0.01 + rand() * 0.05), tags);
    emit('http_req_waiting', stamp, round6(duration * 0.98), tags);
    emit('http_req_receiving', stamp, round6(duration * 0.01), tags);
    emit('http_req_failed', stamp, failed ? 1 : 0, tags);
    const iterTags = `{"group":"","scenario":"steady"${runTags}}`;
    if (shape === 'long') {
      // A custom Trend the script adds from its own arithmetic (the server's timing header, scaled).
      emit('model_inference_ms', stamp, (duration * 0.7) / 1.0000003, tags);
      emit('queue_wait_ms', stamp, duration * 0.2 + rand(), tags);
    }
    emit('checks', stamp, failed ? 0 : 1, `{"check":"${ep.tag} status is 200","group":"","scenario":"steady"${runTags}}`);
    emit('data_sent', stamp, 120 + Math.floor(rand() * 200), iterTags);
    emit('data_received', stamp, 200 + Math.floor(rand() * 400), iterTags);
    const sleepNs = Math.floor(10e6 + rand() * 30e6);
    const iterEnd = doneNs + sleepNs;
    emit('iteration_duration', iterEnd, round6((iterEnd - t) / 1e6), iterTags);
    emit('iterations', iterEnd, 1, iterTags);
    vuClock[v] = iterEnd;
    requests++;
    if (outLen > 8 * 1024 * 1024) flush();
  }
  flush();
  closeSync(fd);
  return { bytes, lines, requests };
}
