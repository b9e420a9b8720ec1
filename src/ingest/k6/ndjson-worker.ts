// Worker thread for ndjson-parallel.ts: scans one byte range of a plain NDJSON file
// (it starts at a line start and ends after a newline or at the end of the file) and
// posts the aggregation back.
import { closeSync, openSync, readSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { createScan, finishScan, scanChunk } from './ndjson-scan.js';
import { serializeScan, type WorkerInput, type WorkerMessage } from './ndjson-parallel.js';

const PROGRESS_EVERY = 32 * 1024 * 1024;

function scanRange(input: WorkerInput): WorkerMessage {
  const scan = createScan(input.timelineIntervalS);
  // Only the first range can begin with a byte-order mark.
  scan.atStart = input.start === 0;
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

try {
  parentPort!.postMessage(scanRange(workerData as WorkerInput));
} catch (e) {
  parentPort!.postMessage({ type: 'error', message: (e as Error).message } satisfies WorkerMessage);
}
