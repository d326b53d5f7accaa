// The lab's HTML report. Depends on Observable Plot and linkedom, so only the CLI imports it;
// the core index (src/index.ts) does not.
export { renderChart, serverDocument } from './charts.js';
export { type ReportMeta, escapeHtml, renderReport } from './render-report.js';
export { renderStandaloneSvg } from './standalone-svg.js';
