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
  max_names(): number;
  tag_slots(): number;
  scan_pos(): number;
  begin(start: number): void;
  scan(len: number): number;
  reset(): void;
}

/**
 * The layout of the kernel's 13 MiB input. Chunks handed over in memory (gzip, worker
 * chunks) are copied to its start, after the carried-over tail of the last one. Plain
 * files are read straight into two areas after that, in turns (one is read into while
 * the other is scanned), each with room before it for the carried-over tail: no copy.
 */
const INPUT_BYTES = 13 << 20;
const COPY_BYTES = 5 << 20;
const AREA_BYTES = 4 << 20;
/** Room for the carried-over tail before a read area: a longer line goes to the JavaScript scanner. */
const CARRY_ROOM = 64 << 10;

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
  /** Forgets every cached name and tags text, here and in the kernel. */
  reset(): void;
  /** The kernel's input; records' offsets are relative to its start. */
  input: Buffer;
  /** How much a chunk copied to the input's start may hold, with the carried-over tail. */
  copyCap: number;
  /** The two read areas (where a file is read into), and where each starts in the input. */
  areas: [Buffer, Buffer];
  areaAt: [number, number];
  carryRoom: number;
  /** The scan reading into the areas right now (one at a time per thread), or null. */
  areasOwner: object | null;
  maxRecords: number;
  f64: Float64Array;
  i32: Int32Array;
  /** Index of the first record in f64 and in i32. */
  recF64: number;
  recI32: number;
  /** Metric names by the kernel's id, learnt as they appear. */
  names: Array<KernelName | undefined>;
  /** The tags object of each tags slot, as last filled (null: one the scanner does not read). */
  tags: Array<K6Tags | null>;
  /** The module's own functions: begin(start), scan(end), scan_pos() and the tables. */
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
  if (x.record_size() !== RECORD_BYTES || x.input_cap() !== INPUT_BYTES || x.records_ptr() % 8 !== 0) return null;
  // The kernel's memory never grows (all of it is static), so these views stay valid.
  const buf = x.memory.buffer;
  const rec = x.records_ptr();
  const input = Buffer.from(buf, x.input_ptr(), INPUT_BYTES);
  const areaAt: [number, number] = [COPY_BYTES + CARRY_ROOM, COPY_BYTES + AREA_BYTES + CARRY_ROOM];
  const k: Kernel = {
    reset: () => {
      x.reset();
      k.names.fill(undefined);
      k.tags.fill(null);
    },
    input,
    copyCap: COPY_BYTES,
    areas: [input.subarray(areaAt[0], areaAt[0] + AREA_BYTES - CARRY_ROOM), input.subarray(areaAt[1], areaAt[1] + AREA_BYTES - CARRY_ROOM)],
    areaAt,
    carryRoom: CARRY_ROOM,
    areasOwner: null,
    maxRecords: x.max_records(),
    f64: new Float64Array(buf),
    i32: new Int32Array(buf),
    recF64: rec / 8,
    recI32: rec / 4,
    // Sized up front: an array filled at scattered indexes turns into a slow dictionary.
    names: new Array<KernelName | undefined>(x.max_names()).fill(undefined),
    tags: new Array<K6Tags | null>(x.tag_slots()).fill(null),
    exports: x,
  };
  return k;
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
  const tags = k.tags[slot]!;
  if (tags === null) return FALLBACK;
  // A metric the model does not use counts only for its time (its line was read whole all the same).
  if (entry.kind === KIND_TIME_ONLY) return TIME_ONLY;
  out.value = k.f64[f + F_VALUE]!;
  out.tags = tags;
  return POINT;
}

/** Where record `r`'s line starts and ends (before its newline) in the input area. */
export const recordStart = (k: Kernel, r: number): number => k.i32[k.recI32 + r * REC_I32 + I_START]!;
export const recordEnd = (k: Kernel, r: number): number => k.i32[k.recI32 + r * REC_I32 + I_END]!;
