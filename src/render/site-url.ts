// The published site's URL (--site-url), which report.md links to. Checked when the
// build starts, before any input is read.

/** The site URL as links start with it: http(s), no query or fragment, no trailing slash. Throws on anything else. */
export function siteUrlBase(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error(`--site-url must be an absolute URL (https://…): ${url}`);
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new Error(`--site-url must start with https:// or http://: ${url}`);
  if (u.search || u.hash || u.username || u.password) throw new Error(`--site-url must have no query, fragment or credentials: ${url}`);
  return u.href.replace(/\/+$/, '');
}
