import { runLab, formatSummary } from '/work/main/.build-h8/src/lab/index.js';
const quick = process.argv[2] === 'q';
const r = await runLab({ quick, seeds: +process.argv[3] || 1, only: process.argv[4] ? [process.argv[4]] : undefined });
console.log(formatSummary(r));
