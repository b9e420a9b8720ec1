// What the Locust HTML report holds, read with a real HTML parser (htmlparser2):
// tables with the <h2> heading they sit under, the "info" paragraphs (During,
// Target Host, Script) and the inline script bodies (as raw text, never run).
import { Parser } from 'htmlparser2';

export interface HtmlTable {
  /** Text of the last <h2> before the table, e.g. "Request Statistics". */
  section: string;
  header: string[];
  rows: string[][];
}

export interface ReportDom {
  title: string;
  h1: string[];
  tables: HtmlTable[];
  /** Text of each <p>, whitespace collapsed. */
  paragraphs: string[];
  /** Raw text of each inline <script>. */
  scripts: string[];
}

const squash = (s: string) => s.replace(/\s+/g, ' ').trim();

export function readReportDom(html: string): ReportDom {
  const dom: ReportDom = { title: '', h1: [], tables: [], paragraphs: [], scripts: [] };
  let section = '';
  let text: string[] | null = null; // collecting the text of h1/h2/title/p
  let textTag = '';
  let table: HtmlTable | null = null;
  let row: string[] | null = null;
  let rowIsHeader = false;
  let cell: string[] | null = null;
  let script: string[] | null = null;

  const parser = new Parser(
    {
      onopentag(name) {
        if (name === 'script') script = [];
        else if (name === 'h1' || name === 'h2' || name === 'title' || name === 'p') {
          text = [];
          textTag = name;
        } else if (name === 'table') table = { section, header: [], rows: [] };
        else if (name === 'tr' && table) {
          row = [];
          rowIsHeader = true;
        } else if ((name === 'td' || name === 'th') && row) {
          cell = [];
          if (name === 'td') rowIsHeader = false;
        }
      },
      ontext(t) {
        if (script) script.push(t);
        if (text) text.push(t);
        if (cell) cell.push(t);
      },
      onclosetag(name) {
        if (name === 'script' && script) {
          dom.scripts.push(script.join(''));
          script = null;
        } else if (name === textTag && text) {
          const s = squash(text.join(''));
          if (name === 'h2') section = s;
          else if (name === 'h1') dom.h1.push(s);
          else if (name === 'title') dom.title = s;
          else dom.paragraphs.push(s);
          text = null;
          textTag = '';
        } else if ((name === 'td' || name === 'th') && cell && row) {
          // Tracebacks keep their line breaks; other cells are single-line.
          const raw = cell.join('');
          row.push(raw.includes('\n') && raw.trim().includes('\n') ? raw.replace(/^\s*\n|\s+$/g, '') : raw.trim());
          cell = null;
        } else if (name === 'tr' && row && table) {
          if (rowIsHeader && table.header.length === 0) table.header = row;
          else if (row.length > 0) table.rows.push(row);
          row = null;
        } else if (name === 'table' && table) {
          dom.tables.push(table);
          table = null;
        }
      },
    },
    { decodeEntities: true, lowerCaseTags: true },
  );
  parser.write(html);
  parser.end();
  return dom;
}
