import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { parse } from 'csv-parse/sync';
import type { TextTable } from '../lab/index.js';
import { CliError } from './io.js';

interface CsvParseError extends Error {
  code?: string;
  lines?: number;
  index?: number;
}

interface ParsedRecord {
  record: string[];
  info: { lines: number };
}

/**
 * Parses CSV text with a header row; malformed input throws a `CliError` naming the line (and
 * column). Rows may end in `\r\n`, `\n` or `\r`, mixed within one file (csv-parse would otherwise
 * take the first line's ending for every row).
 */
export function parseCsv(text: string, source: string): TextTable {
  let records: ParsedRecord[];
  try {
    records = parse(text, {
      info: true,
      skip_empty_lines: true,
      trim: true,
      bom: true,
      record_delimiter: ['\r\n', '\n', '\r'],
    }) as unknown as ParsedRecord[];
  } catch (error) {
    const e = error as CsvParseError;
    const line = e.lines ?? '?';
    if (e.code === 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH') {
      const match = /expect (\d+), got (\d+)/.exec(e.message);
      const detail = match ? `the row has ${match[2]} field(s) but the header has ${match[1]}` : e.message;
      throw new CliError(`${source}, line ${line}: ${detail}`);
    }
    const column = e.index !== undefined ? `, column ${e.index + 1}` : '';
    if (e.code === 'CSV_QUOTE_NOT_CLOSED') {
      throw new CliError(
        `${source}, line ${line}${column}: a quoted field is never closed (the file ends inside the quotes)`,
      );
    }
    throw new CliError(`${source}, line ${line}${column}: malformed CSV (${e.message})`);
  }
  if (records.length === 0) throw new CliError(`${source} is empty; expected a header row and data rows`);
  const [head, ...rows] = records;
  const header = head.record;
  const seen = new Set<string>();
  header.forEach((name, i) => {
    if (name === '')
      throw new CliError(
        `${source}, line ${head.info.lines}, column ${i + 1}: empty column name in the header`,
      );
    if (seen.has(name))
      throw new CliError(
        `${source}, line ${head.info.lines}, column ${i + 1}: column name '${name}' appears twice`,
      );
    seen.add(name);
  });
  return { source, header, rows: rows.map((r) => r.record), lines: rows.map((r) => r.info.lines) };
}

/** Reads and parses a CSV file; an unreadable file is a `CliError` with the reason. */
export async function readCsv(path: string): Promise<TextTable> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'it is a folder'
          : code === 'EACCES'
            ? 'permission denied'
            : (error as Error).message;
    throw new CliError(`cannot read ${path}: ${reason}`);
  }
  return parseCsv(text, basename(path));
}
