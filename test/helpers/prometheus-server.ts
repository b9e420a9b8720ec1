// A real Prometheus for tests: OpenMetrics text is backfilled into TSDB blocks with
// promtool, and a server with no scrape targets is started on a free local port.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

export function hasCommand(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
}

export const havePrometheus = hasCommand('prometheus') && hasCommand('promtool');

/** A local port nothing listens on at the moment. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createNetServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface TestPrometheus {
  url: string;
  /** Scratch folder (removed by stop). */
  dir: string;
  stop(): Promise<void>;
}

/** Backfills `openMetrics` (ending in `# EOF`) and starts Prometheus on it. Samples should be older than 2 h. */
export async function startPrometheus(openMetrics: string): Promise<TestPrometheus> {
  const dir = mkdtempSync(path.join(tmpdir(), 'ce-prom-'));
  let proc: ChildProcess | undefined;
  const stop = async () => {
    if (proc && proc.exitCode === null) {
      const exited = new Promise((r) => proc!.once('exit', r));
      proc.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (proc.exitCode === null) proc.kill('SIGKILL');
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    writeFileSync(path.join(dir, 'data.om'), openMetrics);
    const tsdb = path.join(dir, 'tsdb');
    const backfill = spawnSync('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', path.join(dir, 'data.om'), tsdb], { encoding: 'utf8' });
    if (backfill.status !== 0) throw new Error(`promtool failed: ${backfill.stderr}`);
    writeFileSync(path.join(dir, 'prometheus.yml'), 'global:\n  scrape_interval: 15s\nscrape_configs: []\n');
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    proc = spawn(
      'prometheus',
      [`--config.file=${path.join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${tsdb}`, `--web.listen-address=127.0.0.1:${port}`, '--storage.tsdb.retention.time=3650d'],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let log = '';
    proc.stderr!.on('data', (c: Buffer) => (log = (log + c.toString()).slice(-4000)));
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (proc.exitCode !== null) throw new Error(`prometheus exited early: ${log}`);
      try {
        if ((await fetch(`${url}/-/ready`)).ok) break;
      } catch {
        /* not listening yet */
      }
      if (Date.now() > deadline) throw new Error(`prometheus not ready after 30 s: ${log}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    return { url, dir, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
