// The WebAssembly line kernel (wasm/scan.c) as JavaScript sees it: one instance per
// thread, loaded on first use. The kernel reads k6 lines of the usual shape into
// records (metric id, time, value, tags slot); ndjson-scan.ts turns the records into
// samples and hands every other line to the JavaScript scanner. When WebAssembly is
// not available the JavaScript scanner reads everything, as before.
import { KIND_TIME_ONLY, metricKind, type K6Tags } from './aggregate.js';
import { FALLBACK, parseTagsText, POINT, TIME_ONLY, type LineResult } from './ndjson-line.js';
import { SCAN_WASM_BASE64 } from './wasm/scan-wasm.js';

// The little of WebAssembly's JavaScript API used here (the ES lib has no declarations
// for it and the DOM lib does not belong in a Node program).
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
};

interface KernelExports {
  memory: { buffer: ArrayBuffer };
  input_ptr(): number;
  input_cap(): number;
  records_ptr(): number;
  max_records(): number;
  record_size(): number;
  name_ptr(id: number): number;
  name_len(id: number): number;
  scan_pos(): number;
  begin(): void;
  scan(len: number): number;
}

/** A record is 48 bytes (scan.c Record): two doubles, then eight 32-bit integers. */
const RECORD_BYTES = 48;
const REC_F64 = RECORD_BYTES / 8;
const REC_I32 = RECORD_BYTES / 4;
/** Offsets of the fields, in doubles and in 32-bit integers from a record's start. */
const F_TIME = 0;
const F_VALUE = 1;
const I_FLAG = 4;
const I_NAME = 5;
const I_TAGS = 6;
const I_NEW_TAGS = 7;
const I_START = 8;
const I_END = 9;
const I_TAGS_START = 10;
const I_TAGS_END = 11;
const KERNEL_OK = 1;

export interface KernelName {
  name: string;
  kind: number;
}

export interface Kernel {
  scan(len: number): number;
  begin(): void;
  scanPos(): number;
  /** The kernel's input area; records' offsets are relative to its start. */
  input: Buffer;
  inputCap: number;
  maxRecords: number;
  f64: Float64Array;
  i32: Int32Array;
  /** Index of the first record in f64 and in i32. */
  recF64: number;
  recI32: number;
  /** Metric names by the kernel's id, learnt as they appear. */
  names: KernelName[];
  /** The tags object of each tags slot, as last filled (null: one the scanner does not read). */
  tags: Array<K6Tags | null>;
  exports: KernelExports;
}

let loaded: Kernel | null | undefined;

/** This thread's kernel, or null when WebAssembly (with SIMD) is not available here. */
export function getKernel(): Kernel | null {
  if (loaded === undefined) loaded = loadKernel();
  return loaded;
}

function loadKernel(): Kernel | null {
  let x: KernelExports;
  try {
    const module = new WebAssembly.Module(Buffer.from(SCAN_WASM_BASE64, 'base64'));
    x = new WebAssembly.Instance(module, {}).exports as unknown as KernelExports;
  } catch {
    return null;
  }
  if (x.record_size() !== RECORD_BYTES) return null;
  // The kernel's memory never grows (all of it is static), so these views stay valid.
  const buf = x.memory.buffer;
  const rec = x.records_ptr();
  return {
    scan: (len) => x.scan(len),
    begin: () => x.begin(),
    scanPos: () => x.scan_pos(),
    input: Buffer.from(buf, x.input_ptr(), x.input_cap()),
    inputCap: x.input_cap(),
    maxRecords: x.max_records(),
    f64: new Float64Array(buf),
    i32: new Int32Array(buf),
    recF64: rec / 8,
    recI32: rec / 4,
    names: [],
    tags: [],
    exports: x,
  };
}

/** The name of the kernel's metric `id`, learnt from its table the first time. */
function kernelName(k: Kernel, id: number): KernelName {
  let entry = k.names[id];
  if (entry === undefined) {
    const p = k.exports.name_ptr(id);
    const name = Buffer.from(k.exports.memory.buffer, p, k.exports.name_len(id)).toString('utf8');
    entry = { name, kind: metricKind(name) };
    k.names[id] = entry;
  }
  return entry;
}

/**
 * Record `r` of the last scan() into `out`, as scanLine would read its line: POINT or
 * TIME_ONLY, or FALLBACK for a line the JavaScript scanner must read (from
 * `input[recordStart, recordEnd)`). Records must be read in order: a record can bring new
 * text into a tags slot that later ones use.
 */
export function readRecord(k: Kernel, r: number, out: LineResult): number {
  const i32 = k.i32;
  const i = k.recI32 + r * REC_I32;
  if (i32[i + I_FLAG] !== KERNEL_OK) return FALLBACK;
  const slot = i32[i + I_TAGS]!;
  // New text in a tags slot: read it (the JavaScript scanner's rules), whatever the metric.
  if (i32[i + I_NEW_TAGS] !== 0) k.tags[slot] = parseTagsText(k.input, i32[i + I_TAGS_START]!, i32[i + I_TAGS_END]!);
  const entry = kernelName(k, i32[i + I_NAME]!);
  const f = k.recF64 + r * REC_F64;
  out.metric = entry.name;
  out.kind = entry.kind;
  out.timeMs = k.f64[f + F_TIME]!;
  const tags = k.tags[slot];
  if (tags === null || tags === undefined) return FALLBACK;
  // A metric the model does not use counts only for its time (its line was read whole all the same).
  if (entry.kind === KIND_TIME_ONLY) return TIME_ONLY;
  out.value = k.f64[f + F_VALUE]!;
  out.tags = tags;
  return POINT;
}

/** Where record `r`'s line starts and ends (before its newline) in the input area. */
export const recordStart = (k: Kernel, r: number): number => k.i32[k.recI32 + r * REC_I32 + I_START]!;
export const recordEnd = (k: Kernel, r: number): number => k.i32[k.recI32 + r * REC_I32 + I_END]!;
