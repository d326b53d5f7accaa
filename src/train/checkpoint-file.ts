// Node-only: reading and writing checkpoints as files. Not re-exported from the core index (the
// core runs in browsers); import it from 'losskit/checkpoint-file' (package.json exports).
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { type Checkpoint, parseCheckpoint } from './checkpoint.js';

/** Writes `checkpoint` as JSON to `path` (through a temporary file, so a crash never leaves half a file). */
export function writeCheckpointFile(path: string, checkpoint: Checkpoint): void {
  const temporary = `${path}.tmp`;
  writeFileSync(temporary, JSON.stringify(checkpoint));
  renameSync(temporary, path);
}

/** Reads a checkpoint written by `writeCheckpointFile` (or any `JSON.stringify(checkpoint)`). */
export function readCheckpointFile(path: string): Checkpoint {
  return parseCheckpoint(readFileSync(path, 'utf8'));
}
