// Worker thread for ndjson-parallel.ts. Workers are pooled and reused across files
// (starting one costs ~0.1-0.2 s: a V8 isolate, loading the bundled module, instantiating
// the WebAssembly kernel; it says `ready` then), so this waits for jobs:
// - range: scan one byte range of a plain NDJSON file (it starts at a line start and
//   ends after a newline or at the end of the file) and post the aggregation back;
// - start / chunk / end: scan newline-aligned chunks of decompressed text that the main
//   thread inflates and transfers, hand each buffer back for reuse, and at the end post
//   the aggregation with where in the file its problem lines were.
import { closeSync, openSync, readSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { createScan, finishScan, kernelArea, releaseKernelAreas, scanChunk, scanKernelArea, type NdjsonScan } from './ndjson-scan.js';
import { getKernel } from './ndjson-kernel.js';
import { PROBLEM_KINDS, serializeScan, type RangeJob, type ToWorker, type WorkerMessage } from './ndjson-parallel.js';

const PROGRESS_EVERY = 32 * 1024 * 1024;
const post = (m: WorkerMessage, transfer?: ArrayBuffer[]) => parentPort!.postMessage(m, transfer);

function scanRange(job: RangeJob): WorkerMessage {
  const scan = createScan(job.timelineIntervalS);
  // Only the first range can begin with a byte-order mark.
  scan.atStart = job.start === 0;
  scan.agg.seq = job.seq;
  const fd = openSync(job.file, 'r');
  // One buffer, reused: the WebAssembly kernel's read area when it has one (no copy),
  // else a buffer of its own (scanChunk copies the unfinished tail of each chunk).
  const area = kernelArea(scan, 0);
  try {
    const buf = area ?? Buffer.allocUnsafe(4 * 1024 * 1024);
    let pos = job.start;
    let sinceProgress = 0;
    while (pos < job.end) {
      const n = readSync(fd, buf, 0, Math.min(buf.length, job.end - pos), pos);
      if (n === 0) break;
      if (area !== null) scanKernelArea(scan, 0, n);
      else scanChunk(scan, buf.subarray(0, n));
      pos += n;
      sinceProgress += n;
      if (sinceProgress >= PROGRESS_EVERY) {
        sinceProgress = 0;
        post({ type: 'progress', bytes: pos - job.start });
      }
    }
    post({ type: 'progress', bytes: pos - job.start });
  } finally {
    releaseKernelAreas(scan);
    closeSync(fd);
  }
  finishScan(scan);
  return { type: 'done', scan: serializeScan(scan) };
}

/**
 * A chunk session. Chunks arrive in increasing `seq`. Line numbers restart at 1 in
 * every chunk; the lines per chunk go back with the result so the main thread can turn
 * a problem's (chunk, line) into the line number in the whole file.
 */
interface Session {
  scan: NdjsonScan;
  lineCounts: Array<[number, number]>;
  firstSeq: Partial<Record<(typeof PROBLEM_KINDS)[number], number>>;
}
let session: Session | null = null;

function onMessage(m: ToWorker): void {
  try {
    switch (m.type) {
      case 'range':
        post(scanRange(m.job));
        return;
      case 'start':
        session = { scan: createScan(m.timelineIntervalS), lineCounts: [], firstSeq: {} };
        return;
      case 'chunk': {
        const s = session!;
        s.scan.lineNo = 0;
        s.scan.atStart = m.seq === 0;
        s.scan.agg.seq = m.seq;
        scanChunk(s.scan, Buffer.from(m.buffer, 0, m.length));
        finishScan(s.scan); // the last chunk may end without a newline
        s.lineCounts.push([m.seq, s.scan.lineNo]);
        // Counts only grow: a kind seen for the first time was first seen in this chunk.
        for (const k of PROBLEM_KINDS) if (s.firstSeq[k] === undefined && s.scan[k].count > 0) s.firstSeq[k] = m.seq;
        post({ type: 'free', buffer: m.buffer }, [m.buffer]);
        return;
      }
      case 'end': {
        const s = session!;
        session = null;
        post({ type: 'done', scan: serializeScan(s.scan), lineCounts: s.lineCounts, firstSeq: s.firstSeq });
        return;
      }
    }
  } catch (e) {
    session = null;
    post({ type: 'error', message: (e as Error).message });
  }
}

parentPort!.on('message', onMessage);
// Loaded: the scanner is compiled and the WebAssembly kernel instantiated (on this
// thread's first use otherwise). A file already being read on the main thread can now
// hand this worker a share of it (ndjson-parallel.ts scanPlainSplitting).
getKernel();
post({ type: 'ready' });
