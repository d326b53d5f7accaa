// Reads the README's code blocks and checks the values their comments promise.

/** One fenced code block of the README. */
export interface ReadmeBlock {
  /** README line number (1-based) of the block's first code line. */
  readonly startLine: number;
  readonly lines: readonly string[];
}

/** A README line whose promised value was compared with what the code returned. */
export interface CheckedLine {
  readonly line: number;
  readonly expected: readonly number[];
  readonly actual: readonly number[];
}

/** The fenced blocks of one language (```ts, ```sh, ...), in order. */
export function readmeBlocks(readme: string, language: string): ReadmeBlock[] {
  const lines = readme.split('\n');
  const blocks: ReadmeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].trim() !== `\`\`\`${language}`) continue;
    const start = i + 1;
    let end = start;
    while (end < lines.length && lines[end].trim() !== '```') end++;
    blocks.push({ startLine: start + 1, lines: lines.slice(start, end) });
    i = end;
  }
  return blocks;
}

// A statement that ends on its line, followed by a comment that starts with a number or a list.
const promisingLine = /^(\s*)(?!const |let |var |import |export )(\S.*;)\s*\/\/\s*((?:-?\d|\[).*)$/;

/**
 * The block as an ES module: `from 'losskit'` points at `coreEntry`, and each statement whose
 * comment promises a value becomes `__readmeExpect(<expression>, <README line>)`.
 */
export function instrumentBlock(
  block: ReadmeBlock,
  coreEntry: string,
): { source: string; promised: Map<number, string> } {
  const promised = new Map<number, string>();
  const out = block.lines.map((text, i) => {
    const line = block.startLine + i;
    const withImport = text.replace(/from 'losskit'/, `from '${coreEntry}'`);
    const match = promisingLine.exec(withImport);
    if (match === null) return withImport;
    const [, indent, statement, comment] = match;
    promised.set(line, comment);
    return `${indent}__readmeExpect(${statement.slice(0, -1)}, ${line});`;
  });
  const declare = 'declare function __readmeExpect(value: unknown, line: number): void;\n';
  return { source: `${declare}${out.join('\n')}\n`, promised };
}

function numbersOf(value: unknown, line: number): number[] {
  if (typeof value === 'number') return [value];
  if (Array.isArray(value)) return value.flatMap((v) => numbersOf(v, line));
  if (typeof value === 'object' && value !== null && 'toArray' in value && 'size' in value) {
    const tensor = value as { size: number; item(): number; toArray(): unknown };
    return tensor.size === 1 ? [tensor.item()] : numbersOf(tensor.toArray(), line);
  }
  throw new Error(`README line ${line}: the example returned ${String(value)}, not a number, array or tensor`);
}

function promisedNumbers(comment: string): string[] {
  if (comment.startsWith('[')) {
    const list = comment.slice(1, comment.indexOf(']'));
    return list.split(',').map((s) => s.trim());
  }
  const first = /^-?\d+(?:\.\d+)?(?:e[+-]?\d+)?/.exec(comment);
  return first === null ? [] : [first[0]];
}

/** Half a unit of the last digit shown: `0.1667` promises ±0.00005; an integer promises itself. */
function toleranceOf(printed: string): number {
  const mantissa = printed.split('e')[0];
  const dot = mantissa.indexOf('.');
  if (dot === -1) return 1e-12;
  const digits = mantissa.length - dot - 1;
  const exponent = printed.includes('e') ? Number(printed.split('e')[1]) : 0;
  return 0.5 * 10 ** (exponent - digits) * (1 + 1e-9);
}

/** Compares what an example returned with the value its comment promises; throws naming the README line. */
export function checkPromisedValue(value: unknown, comment: string, line: number): CheckedLine {
  const actual = numbersOf(value, line);
  const printed = promisedNumbers(comment);
  const expected = printed.map(Number);
  if (expected.length !== actual.length) {
    throw new Error(`README line ${line}: promises ${expected.length} value(s) (${comment}), the code returned ${actual.length}`);
  }
  printed.forEach((text, k) => {
    const diff = Math.abs(actual[k] - expected[k]);
    if (!(diff <= toleranceOf(text))) {
      throw new Error(`README line ${line}: promises ${text}, the code returns ${actual[k]} (difference ${diff})`);
    }
  });
  return { line, expected, actual };
}
