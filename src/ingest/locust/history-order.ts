// Putting a Locust history's Aggregated rows in time order. Locust writes one row per
// interval in time order, with cumulative counts. A file that was shuffled, merged
// from copies or edited is sorted by Timestamp; a row repeated for one Timestamp is
// kept once; and, in a file that needed sorting, rows whose cumulative request count
// contradicts their Timestamp (a count above that of a later row: a wrong clock, an
// hour early) are left out, keeping the longest run of rows whose counts never fall.
// A file already in order keeps every row: a falling count there is Locust resetting
// its statistics.

export interface AggRow {
  ts: number;
  line: number;
  cumReq: number;
  cumFail: number | null;
}

export interface OrderProblem {
  message: string;
  line: number;
}

export function orderHistoryRows<T extends AggRow>(rows: readonly T[]): { rows: T[]; problems: OrderProblem[] } {
  const problems: OrderProblem[] = [];
  let firstDisorder: number | null = null;
  for (let i = 1; i < rows.length; i++) {
    if (rows[i]!.ts < rows[i - 1]!.ts) {
      firstDisorder = rows[i]!.line;
      break;
    }
  }
  const sorted = firstDisorder === null ? [...rows] : [...rows].sort((a, b) => a.ts - b.ts || a.line - b.line);
  if (firstDisorder !== null) {
    problems.push({ line: firstDisorder, message: `history rows are not in time order (first out of order at line ${firstDisorder}); sorted them by Timestamp` });
  }

  // One row per Timestamp: an exact repeat is a duplicated line; differing counts keep the highest.
  const unique: T[] = [];
  let dup = { count: 0, first: Infinity };
  let clash = { count: 0, first: Infinity };
  for (const r of sorted) {
    const prev = unique[unique.length - 1];
    if (!prev || prev.ts !== r.ts) {
      unique.push(r);
      continue;
    }
    const same = prev.cumReq === r.cumReq && prev.cumFail === r.cumFail;
    const note = same ? dup : clash;
    note.count++;
    note.first = Math.min(note.first, Math.max(prev.line, r.line));
    if (!same && r.cumReq > prev.cumReq) unique[unique.length - 1] = r;
  }
  if (dup.count > 0) problems.push({ line: dup.first, message: `left out ${dup.count} duplicated Aggregated row(s) (the same Timestamp and counts as another row; first at line ${dup.first})` });
  if (clash.count > 0) problems.push({ line: clash.first, message: `left out ${clash.count} Aggregated row(s) repeating a Timestamp with other counts, keeping the highest count (first at line ${clash.first})` });
  if (firstDisorder === null) return { rows: unique, problems };

  const keep = longestNonDecreasing(unique.map((r) => r.cumReq));
  const out: T[] = [];
  let dropped = 0;
  let firstDropped = Infinity;
  for (let i = 0; i < unique.length; i++) {
    if (keep.has(i)) out.push(unique[i]!);
    else {
      dropped++;
      firstDropped = Math.min(firstDropped, unique[i]!.line);
    }
  }
  if (dropped > 0) {
    problems.push({
      line: firstDropped,
      message: `left out ${dropped} Aggregated row(s) whose cumulative request count contradicts their Timestamp (higher than a later row's: a wrong clock?); first at line ${firstDropped}`,
    });
  }
  return { rows: out, problems };
}

/** Indices of a longest non-decreasing subsequence (the earliest one among equals), O(n log n). */
export function longestNonDecreasing(xs: readonly number[]): Set<number> {
  const tails: number[] = []; // index of the smallest tail of each length
  const prev = new Array<number>(xs.length).fill(-1);
  for (let i = 0; i < xs.length; i++) {
    let lo = 0;
    let hi = tails.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (xs[tails[mid]!]! <= xs[i]!) lo = mid + 1;
      else hi = mid;
    }
    if (lo > 0) prev[i] = tails[lo - 1]!;
    tails[lo] = i;
  }
  const keep = new Set<number>();
  for (let i = tails.length > 0 ? tails[tails.length - 1]! : -1; i >= 0; i = prev[i]!) keep.add(i);
  return keep;
}
