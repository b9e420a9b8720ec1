// The file every site ce-report writes holds at its top (see ../output-dir.ts): a folder
// with it is a report, never load-test input, and only such a folder may be replaced.
export const SITE_MARKER = '.ce-report-site';
