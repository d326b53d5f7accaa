#!/usr/bin/env node
// The `losskit` command (package.json "bin"). A committed file rather than dist/cli/main.js
// itself, so that npm links the command at install time, before the first build; it runs the
// compiled CLI (`npm run build` from the repository root builds it).
await import('../dist/cli/main.js');
