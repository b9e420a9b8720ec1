// Putting a new site in place of the old one. A build writes `OUT.tmp-PID`; the swap
// moves the old site to `OUT.old-PID`, the new one to `OUT`, and removes the old one.
// Node offers no rename-exchange, so between the two renames (two system calls) `OUT`
// is missing; a build killed exactly there leaves two complete sites beside it, and the
// next build puts the newest back before anything else: `OUT.tmp-PID` when it is
// complete (its marker, written first as "unfinished", has its final text), else
// `OUT.old-PID`. Only folders with ce-report's marker are touched. Leftovers of builds whose process is gone are removed, and a lock file
// (`OUT.ce-report-lock`, holding the PID) makes two builds into one folder take turns.
import { promises as fs, existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from './ingest/errors.js';
import { siteState } from './output-dir.js';

const LOCK_WAIT_MS = 120_000;

export function tmpDirFor(outDir: string): string {
  return `${outDir}.tmp-${process.pid}`;
}

/** Whether process `pid` still runs (this one does). */
function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Locks this process holds: two builds in one process into one folder take turns too. */
const held = new Set<string>();

/** Runs `fn` holding the output folder's lock; a lock left by a dead process is taken over. */
export async function withOutLock<T>(outDir: string, fn: () => Promise<T>): Promise<T> {
  const lock = `${outDir}.ce-report-lock`;
  const started = Date.now();
  for (;;) {
    if (held.has(lock)) {
      await sleep(50);
      continue;
    }
    try {
      await fs.writeFile(lock, `${process.pid}\n`, { flag: 'wx' });
      held.add(lock);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const pid = Number.parseInt(await fs.readFile(lock, 'utf8').catch(() => ''), 10);
      // A lock with this process's id that it does not hold was left by an earlier
      // process with the same id (containers reuse ids).
      const mine = pid === process.pid;
      if (Number.isInteger(pid) && pid > 0 && (mine ? !held.has(lock) : !processAlive(pid))) {
        await fs.rm(lock, { force: true });
        continue;
      }
      if (Date.now() - started > LOCK_WAIT_MS) {
        throw new UsageError(`${outDir}: another ce-report build (process ${Number.isInteger(pid) ? pid : '?'}) has been writing this folder for over ${LOCK_WAIT_MS / 1000} s; if none runs, remove ${lock}`);
      }
      await sleep(50);
    }
  }
  try {
    return await fn();
  } finally {
    held.delete(lock);
    await fs.rm(lock, { force: true });
  }
}

/** `OUT.tmp-PID` and `OUT.old-PID` beside `outDir` that ce-report wrote and whose process is gone. */
async function staleSiblings(outDir: string): Promise<Array<{ dir: string; kind: 'tmp' | 'old'; pid: number; complete: boolean }>> {
  const parent = path.dirname(outDir);
  const base = path.basename(outDir);
  let names: string[];
  try {
    names = await fs.readdir(parent);
  } catch {
    return [];
  }
  const found = [];
  for (const n of names) {
    if (!n.startsWith(base + '.')) continue;
    const m = /^\.(tmp|old)-(\d+)$/.exec(n.slice(base.length));
    if (!m) continue;
    const pid = Number(m[2]);
    if (processAlive(pid)) continue;
    const dir = path.join(parent, n);
    // A folder of that name without ce-report's marker is someone else's: left alone.
    const state = await siteState(dir);
    if (state) found.push({ dir, kind: m[1] as 'tmp' | 'old', pid, complete: state === 'complete' });
  }
  return found.sort((a, b) => a.dir.localeCompare(b.dir));
}

/**
 * Puts back a site lost by a build killed between the swap's renames, and removes the
 * leftovers of interrupted builds. Returns lines for the terminal. Call it holding the lock.
 */
export async function recoverOutDir(outDir: string): Promise<string[]> {
  const notes: string[] = [];
  const stale = await staleSiblings(outDir);
  if (stale.length === 0) return notes;
  if (!existsSync(outDir)) {
    const pick = stale.find((s) => s.kind === 'tmp' && s.complete) ?? stale.find((s) => s.kind === 'old' && s.complete);
    if (pick) {
      await fs.rename(pick.dir, outDir);
      notes.push(`${outDir} was missing (a build was interrupted while swapping sites); restored it from ${path.basename(pick.dir)}`);
    }
  }
  for (const s of stale) {
    if (!existsSync(s.dir)) continue;
    try {
      await fs.rm(s.dir, { recursive: true, force: true });
      notes.push(`removed ${path.basename(s.dir)}, left by an interrupted build`);
    } catch (e) {
      notes.push(`could not remove ${s.dir}, left by an interrupted build (${(e as Error).message})`);
    }
  }
  return notes;
}

/**
 * Replaces `outDir` by the complete site in `tmpDir`: at every moment a complete site is
 * at `outDir`, or (between the two renames) at `OUT.old-PID` and `OUT.tmp-PID`, which
 * `recoverOutDir` puts back. Takes the folder's lock, and holds Ctrl-C and SIGTERM back
 * until the lock is released. Returns warnings (an old site that could not be removed).
 */
export async function swapIn(tmpDir: string, outDir: string): Promise<string[]> {
  return deferSignals(() => withOutLock(outDir, () => swap(tmpDir, outDir)));
}

const DEFERRED_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/**
 * Runs `fn` with Ctrl-C, SIGTERM (a cancelled CI job) and SIGHUP held back: the swap
 * finishes, then the signal takes its usual effect. (SIGKILL cannot be held back; the
 * next build's recoverOutDir covers it.)
 */
async function deferSignals<T>(fn: () => Promise<T>): Promise<T> {
  const caught: NodeJS.Signals[] = [];
  const hold = (sig: NodeJS.Signals) => caught.push(sig);
  for (const sig of DEFERRED_SIGNALS) process.on(sig, hold);
  try {
    return await fn();
  } finally {
    for (const sig of DEFERRED_SIGNALS) process.off(sig, hold);
    if (caught.length > 0) process.kill(process.pid, caught[0]);
  }
}

/**
 * While a build writes `tmpDir`, Ctrl-C or SIGTERM removes it before the process ends
 * (no `OUT.tmp-PID` is left). Returns the function that stops watching.
 */
export function removeOnSignal(tmpDir: string): () => void {
  const handler = (sig: NodeJS.Signals) => {
    try {
      rmSync(tmpDir, { recursive: true, force: true });
    } finally {
      stop();
      process.kill(process.pid, sig);
    }
  };
  const stop = () => {
    for (const sig of DEFERRED_SIGNALS) process.off(sig, handler);
  };
  for (const sig of DEFERRED_SIGNALS) process.once(sig, handler);
  return stop;
}

async function swap(tmpDir: string, outDir: string): Promise<string[]> {
  const old = `${outDir}.old-${process.pid}`;
  // Left by an earlier process with this one's id (containers reuse ids): only ever a site.
  if (existsSync(old)) {
    if ((await siteState(old)) === null) throw new UsageError(`${old} is in the way of the swap and is not a site ce-report wrote; move it away`);
    await fs.rm(old, { recursive: true, force: true });
  }
  let hadOld = false;
  try {
    await fs.rename(outDir, old);
    hadOld = true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  // Fault injection for the tests of a kill, or of another build, at the worst moment
  // (test/output-safety.test.ts).
  if (process.env.CE_REPORT_FAULT === 'kill-between-renames') process.kill(process.pid, 'SIGKILL');
  if (process.env.CE_REPORT_FAULT === 'pause-between-renames') await sleep(400);
  if (process.env.CE_REPORT_FAULT === 'sigterm-between-renames') {
    process.kill(process.pid, 'SIGTERM');
    await sleep(100);
  }
  try {
    await fs.rename(tmpDir, outDir);
  } catch (e) {
    if (hadOld) await fs.rename(old, outDir);
    throw e;
  }
  if (!hadOld) return [];
  try {
    await fs.rm(old, { recursive: true, force: true });
    return [];
  } catch (e) {
    // The new site is in place: the build succeeded; the next build removes the rest.
    return [`the new site is in place, but the old one could not be removed from ${old} (${(e as Error).message})`];
  }
}
