// The pages of the site as data: for each page, its path, the view its Markdown
// template needs (built for .md or .html links), and the charts it shows. One module
// per page kind under pages/: the index, a run, and a study of each kind.
export { chartMarkdown, makeLinks, siteContext, type ChartJob, type Ext, type PageDraft, type SiteContext } from './pages/site.js';
export { indexPage } from './pages/index-page.js';
export { runCharts, runPage } from './pages/run.js';
export { studyCharts, studyEmbedBlocks, studyMainTables, studyPage } from './pages/study.js';
