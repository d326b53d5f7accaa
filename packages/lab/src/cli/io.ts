import { constants } from 'node:fs';
import { access, mkdir, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

// Where the CLI writes, so tests can run commands and read what they printed, and the checks of
// the files and folders it writes into.
export interface CliIO {
  /** Normal output (results, tables). */
  out(text: string): void;
  /** Diagnostics, progress and errors. */
  err(text: string): void;
  /** Whether progress bars can redraw in place (an interactive terminal). */
  readonly interactive: boolean;
}

/** The process's own stdout and stderr. */
export const processIO: CliIO = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  interactive: Boolean(process.stderr.isTTY) && process.env.CI === undefined,
};

/** An error the user can fix: printed as `losskit: <message>` without a stack trace, exit status 1. */
export class CliError extends Error {
  override readonly name = 'CliError';
}

/** What a path names on disk; `'blocked'`: a component above it is a file, so it cannot exist. */
type PathKind = 'file' | 'folder' | 'other' | 'missing' | 'blocked';

const errorCode = (error: unknown): string | undefined =>
  error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : undefined;

/** A file-system error as a short phrase: `permission denied`, `read-only file system`, … */
function describeFsError(error: unknown): string {
  switch (errorCode(error)) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EROFS':
      return 'read-only file system';
    case 'ENOSPC':
      return 'no space left on the device';
    case 'EISDIR':
      return 'it is a folder';
    case 'ENAMETOOLONG':
      return 'the name is too long';
    default:
      return error instanceof Error ? error.message : String(error);
  }
}

/** One line naming the flag, the path and the problem: `--out /a/b.svg: the folder /a does not exist`. */
const pathError = (flag: string, path: string, problem: string) =>
  new CliError(`${flag} ${path}: ${problem}`);

async function kindOf(flag: string, path: string): Promise<PathKind> {
  try {
    const s = await stat(path);
    return s.isDirectory() ? 'folder' : s.isFile() ? 'file' : 'other';
  } catch (error) {
    const code = errorCode(error);
    if (code === 'ENOENT') return 'missing';
    if (code === 'ENOTDIR') return 'blocked';
    throw pathError(flag, path, `cannot be checked (${describeFsError(error)})`);
  }
}

/** The nearest ancestor of `path` that is a file (why `path` is `'blocked'`). */
async function fileAbove(flag: string, path: string): Promise<string> {
  let dir = dirname(path);
  while ((await kindOf(flag, dir)) !== 'file' && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

async function requireWritableFolder(flag: string, path: string, folder: string): Promise<void> {
  try {
    await access(folder, constants.W_OK);
  } catch (error) {
    throw pathError(flag, path, `cannot write in the folder ${folder} (${describeFsError(error)})`);
  }
}

/**
 * Checks that `file` (an absolute path given by `flag`) can be written as a file: it is not a
 * folder, and its folder exists (nothing is created) and is writable. Throws a `CliError` that
 * names the flag, the path and the problem.
 */
export async function checkOutputFile(flag: string, file: string): Promise<void> {
  const kind = await kindOf(flag, file);
  if (kind === 'folder') throw pathError(flag, file, 'is a folder; give the path of the file to write');
  if (kind === 'other') throw pathError(flag, file, 'is not a regular file');
  if (kind === 'blocked')
    throw pathError(flag, file, `lies under ${await fileAbove(flag, file)}, which is a file`);
  const folder = dirname(file);
  const parent = await kindOf(flag, folder);
  if (parent === 'missing') throw pathError(flag, file, `the folder ${folder} does not exist`);
  if (parent !== 'folder') throw pathError(flag, file, `${folder} is not a folder`);
  await requireWritableFolder(flag, file, folder);
}

/**
 * Checks that `dir` (an absolute path given by `flag`) can be the folder the command writes into:
 * an existing writable folder, or a new one whose parent folder exists and is writable (only
 * the last folder of the path is created, by `createOutputFolder`).
 */
export async function checkOutputFolder(flag: string, dir: string): Promise<void> {
  const kind = await kindOf(flag, dir);
  if (kind === 'folder') return requireWritableFolder(flag, dir, dir);
  if (kind === 'file' || kind === 'other') throw pathError(flag, dir, 'is a file, not a folder');
  if (kind === 'blocked')
    throw pathError(flag, dir, `lies under ${await fileAbove(flag, dir)}, which is a file`);
  const parent = dirname(dir);
  const parentKind = await kindOf(flag, parent);
  if (parentKind === 'missing') {
    throw pathError(
      flag,
      dir,
      `the folder ${parent} does not exist (only the last folder of the path is created)`,
    );
  }
  if (parentKind !== 'folder') throw pathError(flag, dir, `${parent} is not a folder`);
  await requireWritableFolder(flag, dir, parent);
}

/** Creates the folder `dir` checked by `checkOutputFolder` (its parent must exist); an existing folder is kept. */
export async function createOutputFolder(flag: string, dir: string): Promise<void> {
  try {
    await mkdir(dir);
  } catch (error) {
    if (errorCode(error) === 'EEXIST' && (await kindOf(flag, dir)) === 'folder') return;
    throw pathError(flag, dir, `cannot create the folder (${describeFsError(error)})`);
  }
}

/** Writes `contents` to `file`; a failure is a `CliError` naming the flag and the file. */
export async function writeOutputFile(flag: string, file: string, contents: string): Promise<void> {
  try {
    await writeFile(file, contents);
  } catch (error) {
    throw pathError(flag, file, `cannot write it (${describeFsError(error)})`);
  }
}
