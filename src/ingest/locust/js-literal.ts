// A small parser for the data literals inside Locust's HTML report scripts. The
// older reports hold their history as JavaScript, not JSON (`[...].map(...)`,
// trailing commas, bare keys), and artifacts are untrusted: nothing is evaluated.
// Values it cannot read (calls, identifiers, arrow functions) become `undefined`
// and are skipped up to the next `,` or closing bracket.

export type JsValue = null | boolean | number | string | JsValue[] | { [k: string]: JsValue } | undefined;

export interface Parsed {
  value: JsValue;
  /** Index just past the value. */
  end: number;
}

const MAX_DEPTH = 64;

export function parseJsLiteral(src: string, start: number): Parsed {
  return new Parser(src).value(skipWs(src, start), 0);
}

function skipWs(s: string, i: number): number {
  for (;;) {
    while (i < s.length && /\s/.test(s[i]!)) i++;
    if (s.startsWith('//', i)) {
      const nl = s.indexOf('\n', i);
      i = nl < 0 ? s.length : nl + 1;
    } else if (s.startsWith('/*', i)) {
      const e = s.indexOf('*/', i + 2);
      i = e < 0 ? s.length : e + 2;
    } else return i;
  }
}

class Parser {
  constructor(private readonly s: string) {}

  value(i: number, depth: number): Parsed {
    const s = this.s;
    if (depth > MAX_DEPTH) throw new SyntaxError('nesting too deep');
    const c = s[i];
    let r: Parsed;
    if (c === '{') r = this.object(i, depth);
    else if (c === '[') r = this.array(i, depth);
    else if (c === '"' || c === "'") r = this.string(i);
    else {
      const m = /^-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/.exec(s.slice(i, i + 64));
      if (m) r = { value: Number(m[0]), end: i + m[0].length };
      else {
        const w = /^[A-Za-z_$][\w$]*/.exec(s.slice(i, i + 64));
        const word = w?.[0] ?? '';
        const known: Record<string, JsValue> = { true: true, false: false, null: null, NaN: null, Infinity: null };
        r = { value: word in known ? known[word] : undefined, end: i + word.length };
      }
    }
    // Anything after the literal (`.map(...)`, a call) makes it an expression we do not run.
    const after = skipWs(s, r.end);
    if (after < s.length && !',]}):;'.includes(s[after]!)) return { value: r.value, end: this.skipExpression(after) };
    return r;
  }

  /** Skips to the next `,`, `]`, `}` or `;` at this bracket depth. */
  skipExpression(i: number): number {
    const s = this.s;
    let depth = 0;
    while (i < s.length) {
      const c = s[i]!;
      if (c === '"' || c === "'" || c === '`') {
        i = this.string(i).end;
        continue;
      }
      if (c === '(' || c === '[' || c === '{') depth++;
      else if (c === ')' || c === ']' || c === '}') {
        if (depth === 0) return i;
        depth--;
      } else if ((c === ',' || c === ';') && depth === 0) return i;
      i++;
    }
    return i;
  }

  string(i: number): { value: string; end: number } {
    const s = this.s;
    const q = s[i]!;
    let out = '';
    let j = i + 1;
    while (j < s.length && s[j] !== q) {
      if (s[j] === '\\' && j + 1 < s.length) {
        const e = s[j + 1]!;
        if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(s.slice(j + 2, j + 6))) {
          out += String.fromCharCode(parseInt(s.slice(j + 2, j + 6), 16));
          j += 6;
          continue;
        }
        out += ({ n: '\n', t: '\t', r: '\r', b: '\b', f: '\f' } as Record<string, string>)[e] ?? e;
        j += 2;
        continue;
      }
      out += s[j];
      j++;
    }
    if (j >= s.length) throw new SyntaxError('unterminated string');
    return { value: out, end: j + 1 };
  }

  array(i: number, depth: number): Parsed {
    const s = this.s;
    const out: JsValue[] = [];
    i = skipWs(s, i + 1);
    while (i < s.length && s[i] !== ']') {
      const v = this.value(i, depth + 1);
      out.push(v.value);
      i = skipWs(s, v.end);
      if (s[i] === ',') i = skipWs(s, i + 1);
      else if (s[i] !== ']') throw new SyntaxError(`expected , or ] at ${i}`);
    }
    if (i >= s.length) throw new SyntaxError('unterminated array');
    return { value: out, end: i + 1 };
  }

  object(i: number, depth: number): Parsed {
    const s = this.s;
    const out: Record<string, JsValue> = Object.create(null);
    i = skipWs(s, i + 1);
    while (i < s.length && s[i] !== '}') {
      let key: string;
      if (s[i] === '"' || s[i] === "'") {
        const k = this.string(i);
        key = k.value;
        i = k.end;
      } else {
        const m = /^[A-Za-z_$][\w$]*|^\d+/.exec(s.slice(i, i + 256));
        if (!m) throw new SyntaxError(`expected a key at ${i}`);
        key = m[0];
        i += m[0].length;
      }
      i = skipWs(s, i);
      if (s[i] !== ':') throw new SyntaxError(`expected : at ${i}`);
      const v = this.value(skipWs(s, i + 1), depth + 1);
      if (v.value !== undefined && key !== '__proto__') out[key] = v.value;
      i = skipWs(s, v.end);
      if (s[i] === ',') i = skipWs(s, i + 1);
      else if (s[i] !== '}') throw new SyntaxError(`expected , or } at ${i}`);
    }
    if (i >= s.length) throw new SyntaxError('unterminated object');
    return { value: out, end: i + 1 };
  }
}
