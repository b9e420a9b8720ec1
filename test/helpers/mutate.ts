// Mutations of real inputs for the fuzz tests: each mutation is plain data (so
// fast-check can print and shrink it) applied by `applyMutations` to a seed's bytes.
import fc from 'fast-check';
import { gzipSync } from 'node:zlib';

export type Mutation =
  /** Flip one bit of the byte at `at` (a fraction of the length). */
  | { kind: 'flip'; at: number; bit: number }
  /** Cut the content at `at`. */
  | { kind: 'truncate'; at: number }
  /** Delete the line at `at`. */
  | { kind: 'deleteLine'; at: number }
  /** Repeat the line at `at`. */
  | { kind: 'duplicateLine'; at: number }
  /** Swap the line at `at` with the next one (timestamps out of order, header moved). */
  | { kind: 'swapLines'; at: number }
  /** Remove the `col`-th comma-separated cell from every line (CSV column removal). */
  | { kind: 'removeColumn'; col: number }
  /** Add a cell to the line at `at` (a row with an extra column). */
  | { kind: 'extraCell'; at: number; cell: string }
  /** Insert raw bytes at `at`. */
  | { kind: 'insert'; at: number; bytes: number[] }
  /** Replace the `nth` number in the text by a hostile token (NaN, huge, negative, N/A…). */
  | { kind: 'replaceNumber'; nth: number; token: string }
  /** Turn every LF into CRLF and prepend a BOM. */
  | { kind: 'crlfBom' };

/** Tokens that real artifacts from broken runs or other tool versions contain where numbers belong. */
export const HOSTILE_TOKENS = [
  'NaN', '"NaN"', '+Inf', '-Inf', 'Infinity', 'N/A', '', '-1', '-0', '1e309', '-1e309', '1e308',
  '99999999999999999999999', '0x1F', '1,5', 'null', 'true', '"12"', '1.2.3', '<img src=x onerror=alert(1)>',
  '2024-01-01T00:00:00+05:00', '-62135596800', '9007199254740993',
];

/** Raw byte runs worth inserting: invalid UTF-8, NUL, a gzip magic, quotes and separators. */
const HOSTILE_BYTES: number[][] = [
  [0xff, 0xfe, 0xfd], [0xc3], [0xe2, 0x82], [0x00], [0x1f, 0x8b, 0x08], [0x22], [0x2c, 0x2c], [0x0d],
  [0x0a, 0x0a], [0x7b], [0x7d, 0x5d], [0x5c], [0x3c, 0x2f, 0x73, 0x63, 0x72, 0x69, 0x70, 0x74, 0x3e],
];

const frac = fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true });

export const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: frac, bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: frac }),
  fc.record({ kind: fc.constant('deleteLine' as const), at: frac }),
  fc.record({ kind: fc.constant('duplicateLine' as const), at: frac }),
  fc.record({ kind: fc.constant('swapLines' as const), at: frac }),
  fc.record({ kind: fc.constant('removeColumn' as const), col: fc.integer({ min: 0, max: 20 }) }),
  fc.record({ kind: fc.constant('extraCell' as const), at: frac, cell: fc.constantFrom('x', '', '"a,b"', '1e309', 'N/A') }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: frac,
    bytes: fc.oneof(fc.constantFrom(...HOSTILE_BYTES), fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 16 })),
  }),
  fc.record({ kind: fc.constant('replaceNumber' as const), nth: fc.integer({ min: 0, max: 400 }), token: fc.constantFrom(...HOSTILE_TOKENS) }),
  fc.constant({ kind: 'crlfBom' as const }),
);

/** How the mutated content is stored: as is, gzipped, or gzipped and cut short. */
export type Packing = { kind: 'plain' } | { kind: 'gzip' } | { kind: 'gzipTruncated'; at: number };

export const packingArb: fc.Arbitrary<Packing> = fc.oneof(
  { weight: 4, arbitrary: fc.constant({ kind: 'plain' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'gzip' as const }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('gzipTruncated' as const), at: frac }) },
);

export interface FuzzCase {
  mutations: Mutation[];
  packing: Packing;
}

export const fuzzCaseArb: fc.Arbitrary<FuzzCase> = fc.record({
  mutations: fc.array(mutationArb, { minLength: 1, maxLength: 3 }),
  packing: packingArb,
});

function lineStarts(b: Buffer): number[] {
  const starts = [0];
  for (let i = 0; i < b.length; i++) if (b[i] === 0x0a && i + 1 < b.length) starts.push(i + 1);
  return starts;
}

function splitLines(b: Buffer): Buffer[] {
  const starts = lineStarts(b);
  return starts.map((s, i) => b.subarray(s, i + 1 < starts.length ? starts[i + 1] : b.length));
}

function pick<T>(items: T[], at: number): number {
  return Math.min(items.length - 1, Math.floor(at * items.length));
}

export function applyMutation(input: Buffer, m: Mutation): Buffer {
  if (input.length === 0 && m.kind !== 'insert') return input;
  switch (m.kind) {
    case 'flip': {
      const out = Buffer.from(input);
      const i = pick([...Array(out.length).keys()], m.at);
      out[i] = out[i]! ^ (1 << m.bit);
      return out;
    }
    case 'truncate':
      return input.subarray(0, Math.floor(m.at * input.length));
    case 'deleteLine': {
      const lines = splitLines(input);
      lines.splice(pick(lines, m.at), 1);
      return Buffer.concat(lines);
    }
    case 'duplicateLine': {
      const lines = splitLines(input);
      const i = pick(lines, m.at);
      const line = lines[i]!;
      lines.splice(i, 0, line[line.length - 1] === 0x0a ? line : Buffer.concat([line, Buffer.from('\n')]));
      return Buffer.concat(lines);
    }
    case 'swapLines': {
      const lines = splitLines(input);
      const i = pick(lines, m.at);
      if (i + 1 >= lines.length) return input;
      const a = lines[i]!;
      lines[i] = lines[i + 1]!.at(-1) === 0x0a ? lines[i + 1]! : Buffer.concat([lines[i + 1]!, Buffer.from('\n')]);
      lines[i + 1] = a;
      return Buffer.concat(lines);
    }
    case 'removeColumn': {
      const text = input.toString('latin1');
      return Buffer.from(
        text
          .split('\n')
          .map((l) => {
            const cells = l.split(',');
            if (cells.length > m.col && cells.length > 1) cells.splice(m.col, 1);
            return cells.join(',');
          })
          .join('\n'),
        'latin1',
      );
    }
    case 'extraCell': {
      const lines = splitLines(input);
      const i = pick(lines, m.at);
      const l = lines[i]!.toString('latin1');
      const nl = l.endsWith('\n') ? '\n' : '';
      lines[i] = Buffer.from(l.replace(/\r?\n$/, '') + ',' + m.cell + nl, 'latin1');
      return Buffer.concat(lines);
    }
    case 'insert': {
      const i = Math.floor(m.at * (input.length + 1));
      return Buffer.concat([input.subarray(0, i), Buffer.from(m.bytes), input.subarray(i)]);
    }
    case 'replaceNumber': {
      const text = input.toString('latin1');
      const re = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g;
      const hits: Array<{ index: number; length: number }> = [];
      for (let r = re.exec(text); r; r = re.exec(text)) hits.push({ index: r.index, length: r[0].length });
      if (hits.length === 0) return input;
      const h = hits[m.nth % hits.length]!;
      return Buffer.from(text.slice(0, h.index) + m.token + text.slice(h.index + h.length), 'latin1');
    }
    case 'crlfBom': {
      const text = input.toString('latin1').replace(/\r?\n/g, '\r\n');
      return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'latin1')]);
    }
  }
}

export function applyCase(seed: Buffer, c: FuzzCase): Buffer {
  let b = seed;
  for (const m of c.mutations) b = applyMutation(b, m);
  switch (c.packing.kind) {
    case 'plain':
      return b;
    case 'gzip':
      return gzipSync(b);
    case 'gzipTruncated': {
      const z = gzipSync(b);
      return z.subarray(0, Math.max(2, Math.floor(c.packing.at * z.length)));
    }
  }
}

/**
 * A seed small enough to mutate quickly: the whole content when short, otherwise its
 * first `maxBytes` cut at a line end (so line-based formats stay mostly valid).
 */
export function shrinkSeed(content: Buffer, maxBytes: number): Buffer {
  if (content.length <= maxBytes) return content;
  const cut = content.lastIndexOf(0x0a, maxBytes);
  return content.subarray(0, cut > 0 ? cut + 1 : maxBytes);
}
