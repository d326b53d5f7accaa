#!/usr/bin/env node
// The `losskit` executable (package.json "bin").
import { runCli } from './program.js';

process.exitCode = await runCli(process.argv);
