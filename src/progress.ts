// A progress bar for long ingests: bytes, rate and ETA on stderr, only on a terminal.
import cliProgress from 'cli-progress';
import { formatBytes } from './ingest/read.js';

export interface Progress {
  update: (done: number, total: number) => void;
  stop: () => void;
}

/** Below this many bytes an ingest is quick enough that a bar would only flicker. */
const MIN_BYTES_FOR_BAR = 32 * 1024 * 1024;

export function createProgress(flags: { quiet?: boolean; progress?: boolean }, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (flags.quiet || flags.progress === false || !stream.isTTY) return { update: () => {}, stop: () => {} };
  let bar: cliProgress.SingleBar | undefined;
  const started = Date.now();
  return {
    update(done, total) {
      if (!bar) {
        if (total < MIN_BYTES_FOR_BAR) return;
        bar = new cliProgress.SingleBar(
          {
            stream,
            format: 'reading [{bar}] {percentage}% | {doneH} / {totalH} | {rate} | ETA {eta_formatted}',
            hideCursor: true,
            clearOnComplete: true,
            etaBuffer: 50,
          },
          cliProgress.Presets.shades_classic,
        );
        bar.start(total, 0, { doneH: formatBytes(0), totalH: formatBytes(total), rate: '' });
      }
      const secs = Math.max(0.001, (Date.now() - started) / 1000);
      bar.update(done, { doneH: formatBytes(done), totalH: formatBytes(total), rate: `${formatBytes(done / secs)}/s` });
    },
    stop() {
      bar?.stop();
    },
  };
}
