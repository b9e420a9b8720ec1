// What a reader sees of a page, measured in the browser: horizontal overflow, the size of
// chart text as drawn, chart labels that overlap, marks outside (or on the top edge of)
// their plot, the plot widths, and the words outside tables. Runs inside the page
// (page.evaluate), so it is plain DOM code with no imports.

export interface PageLayout {
  /** How far the page is wider than the window, px (0 when it fits). */
  overflowPx: number;
  /** Chart texts drawn smaller than the minimum: text and size in px. */
  smallText: Array<{ text: string; px: number }>;
  /** Charts without a text alternative: role="img" named by a non-empty <title> and <desc>. */
  unlabelled: number;
  /** Chart titles cut off with an ellipsis. */
  cutTitles: string[];
  /** Pairs of chart texts whose boxes overlap. */
  overlaps: Array<[string, string]>;
  /** Data marks outside their plot area, or touching its top edge. */
  marksOut: Array<{ chart: string; mark: string; why: string }>;
  /** The plot width of every chart shown, px. */
  plotWidths: number[];
  /** Charts shown. */
  charts: number;
  /** Words shown outside tables (folded details do not count: they are not shown). */
  words: number;
}

export function measureLayout(minTextPx: number): PageLayout {
  const visible = (el: Element) => {
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) return false;
    for (let e: Element | null = el; e; e = e.parentElement) {
      const cs = getComputedStyle(e);
      if (cs.display === 'none' || cs.visibility === 'hidden' || Number(cs.opacity) === 0) return false;
    }
    return true;
  };
  const intersect = (a: DOMRect, b: DOMRect, tol: number) => Math.min(a.right, b.right) - Math.max(a.left, b.left) > tol && Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > tol;
  const out: PageLayout = { overflowPx: 0, unlabelled: 0, smallText: [], cutTitles: [], overlaps: [], marksOut: [], plotWidths: [], charts: 0, words: 0 };
  out.overflowPx = Math.max(0, document.documentElement.scrollWidth - document.documentElement.clientWidth);

  for (const svg of document.querySelectorAll('figure.chart svg')) {
    if (!visible(svg)) continue;
    out.charts++;
    const name = svg.querySelector(':scope > title')?.textContent ?? '?';
    const desc = svg.querySelector(':scope > desc')?.textContent ?? '';
    if (svg.getAttribute('role') !== 'img' || name.trim() === '' || name === '?' || desc.trim() === '') out.unlabelled++;
    const texts = [...svg.querySelectorAll('text')].filter((t) => (t.textContent ?? '').trim() !== '' && visible(t));
    for (const t of texts) {
      // The drawn scale, rotation aside (a y-axis title is turned by 90°).
      const m = (t as SVGGraphicsElement).getScreenCTM();
      const px = parseFloat(getComputedStyle(t).fontSize) * (m ? Math.hypot(m.a, m.b) : 1);
      if (px < minTextPx - 0.01) out.smallText.push({ text: `${name}: ${t.textContent}`, px: Math.round(px * 10) / 10 });
    }
    for (const t of svg.querySelectorAll('g.role-title text')) if ((t.textContent ?? '').endsWith('…')) out.cutTitles.push(t.textContent ?? '');
    const boxes = texts.map((t) => ({ text: t.textContent ?? '', box: t.getBoundingClientRect() }));
    for (let i = 0; i < boxes.length; i++) {
      for (let j = i + 1; j < boxes.length; j++) {
        if (intersect(boxes[i]!.box, boxes[j]!.box, 1)) out.overlaps.push([`${name}: ${boxes[i]!.text}`, boxes[j]!.text]);
      }
    }
    // The plot: the frame of the chart's root group (vega draws it as the group's background).
    const frame = svg.querySelector('g.mark-group.role-frame.root > g > path.background');
    if (!frame) continue;
    const plot = frame.getBoundingClientRect();
    out.plotWidths.push(Math.round(plot.width));
    const marks = svg.querySelectorAll('g.role-mark > path, g.role-mark > line, g.role-mark > text');
    for (const m of marks) {
      if (!visible(m)) continue;
      let r = m.getBoundingClientRect();
      // A clipped mark shows only its part inside the clip (the plot): measure that part.
      if (m.closest('[clip-path]')) {
        const left = Math.max(r.left, plot.left);
        const top = Math.max(r.top, plot.top);
        const right = Math.min(r.right, plot.right);
        const bottom = Math.min(r.bottom, plot.bottom);
        if (right < left || bottom < top) continue;
        r = new DOMRect(left, top, right - left, bottom - top);
      }
      const tol = 1.5;
      const mark = `${m.closest('g.role-mark')?.getAttribute('class') ?? ''} ${m.tagName}`;
      if (r.left < plot.left - tol || r.right > plot.right + tol || r.top < plot.top - tol || r.bottom > plot.bottom + tol) {
        out.marksOut.push({ chart: name, mark, why: `outside the plot (${Math.round(r.left - plot.left)},${Math.round(r.top - plot.top)} ${Math.round(r.width)}×${Math.round(r.height)} in ${Math.round(plot.width)}×${Math.round(plot.height)})` });
      } else if (/mark-(line|symbol|area)/.test(mark) && r.top < plot.top + 2) {
        // Headroom: no line, point or area reaches the top of the plot (rules may span it).
        out.marksOut.push({ chart: name, mark, why: 'touches the top of the plot' });
      }
    }
  }

  const main = document.querySelector('main');
  if (main) {
    const copy = main.cloneNode(true) as HTMLElement;
    // Tables and charts are not prose; folded details are not shown.
    for (const el of copy.querySelectorAll('table, figure, details:not([open]) > :not(summary)')) el.remove();
    out.words = (copy.textContent ?? '').split(/\s+/).filter((w) => /[\p{L}\p{N}]/u.test(w)).length;
  }
  return out;
}
