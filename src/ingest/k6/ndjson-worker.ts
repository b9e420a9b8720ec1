// Worker thread for ndjson-parallel.ts, in one of two modes:
// - range: scans one byte range of a plain NDJSON file (it starts at a line start and
//   ends after a newline or at the end of the file) and posts the aggregation back;
// - chunks: scans newline-aligned chunks of decompressed text that the main thread
//   inflates and transfers, hands each buffer back for reuse, and at the end posts the
//   aggregation with where in the file its problem lines were.
import { closeSync, openSync, readSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { createScan, finishScan, scanChunk, type NdjsonScan } from './ndjson-scan.js';
import { PROBLEM_KINDS, serializeScan, type ChunkMessage, type WorkerInput, type WorkerMessage } from './ndjson-parallel.js';

const PROGRESS_EVERY = 32 * 1024 * 1024;

function scanRange(input: WorkerInput): WorkerMessage {
  const scan = createScan(input.timelineIntervalS);
  // Only the first range can begin with a byte-order mark.
  scan.atStart = input.start === 0;
  scan.agg.seq = input.seq;
  const fd = openSync(input.file, 'r');
  try {
    // One buffer, reused: scanChunk copies the unfinished tail of each chunk.
    const buf = Buffer.allocUnsafe(4 * 1024 * 1024);
    let pos = input.start;
    let sinceProgress = 0;
    while (pos < input.end) {
      const n = readSync(fd, buf, 0, Math.min(buf.length, input.end - pos), pos);
      if (n === 0) break;
      scanChunk(scan, buf.subarray(0, n));
      pos += n;
      sinceProgress += n;
      if (sinceProgress >= PROGRESS_EVERY) {
        sinceProgress = 0;
        parentPort!.postMessage({ type: 'progress', bytes: pos - input.start } satisfies WorkerMessage);
      }
    }
    parentPort!.postMessage({ type: 'progress', bytes: pos - input.start } satisfies WorkerMessage);
  } finally {
    closeSync(fd);
  }
  finishScan(scan);
  return { type: 'done', scan: serializeScan(scan) };
}

/**
 * Chunks arrive in increasing `seq`. Line numbers restart at 1 in every chunk; the lines
 * per chunk go back with the result so the main thread can turn a problem's
 * (chunk, line) into the line number in the whole file.
 */
function scanChunks(input: WorkerInput): void {
  const scan: NdjsonScan = createScan(input.timelineIntervalS);
  const lineCounts: Array<[number, number]> = [];
  const firstSeq: Partial<Record<(typeof PROBLEM_KINDS)[number], number>> = {};
  parentPort!.on('message', (m: ChunkMessage) => {
    if (m.type === 'end') {
      const result = serializeScan(scan);
      parentPort!.postMessage({ type: 'done', scan: result, lineCounts, firstSeq } satisfies WorkerMessage);
      parentPort!.close();
      return;
    }
    try {
      const before = PROBLEM_KINDS.map((k) => scan[k].count);
      scan.lineNo = 0;
      scan.atStart = m.seq === 0;
      scan.agg.seq = m.seq;
      scanChunk(scan, Buffer.from(m.buffer, 0, m.length));
      finishScan(scan); // the last chunk may end without a newline
      lineCounts.push([m.seq, scan.lineNo]);
      PROBLEM_KINDS.forEach((k, i) => {
        if (before[i] === 0 && scan[k].count > 0) firstSeq[k] = m.seq;
      });
      parentPort!.postMessage({ type: 'free', buffer: m.buffer } satisfies WorkerMessage, [m.buffer]);
    } catch (e) {
      parentPort!.postMessage({ type: 'error', message: (e as Error).message } satisfies WorkerMessage);
    }
  });
}

const input = workerData as WorkerInput;
if (input.mode === 'chunks') {
  scanChunks(input);
} else {
  try {
    parentPort!.postMessage(scanRange(input));
  } catch (e) {
    parentPort!.postMessage({ type: 'error', message: (e as Error).message } satisfies WorkerMessage);
  }
}
