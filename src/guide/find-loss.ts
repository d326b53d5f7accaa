import type { LossEntry } from '../losses/define.js';
import { losses } from '../losses/registry.js';

const normalize = (name: string) => name.toLowerCase().replace(/[^a-z0-9]/g, '');

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        previous[j] + 1,
        current[j - 1] + 1,
        previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length];
}

/**
 * The registry entry for a loss name, accepting any case and separators (`huber`,
 * `binary-cross-entropy`, `smooth_l1`). An unknown name throws an error suggesting the closest ones.
 */
export function findLoss(name: string): LossEntry {
  const registry: Readonly<Record<string, LossEntry>> = losses as unknown as Readonly<
    Record<string, LossEntry>
  >;
  const key = normalize(name);
  const found = Object.keys(registry).find((n) => normalize(n) === key);
  if (found !== undefined) return registry[found];
  const closest = Object.keys(registry)
    .map((n) => ({ n, d: editDistance(normalize(n), key) }))
    .sort((a, b) => a.d - b.d)
    .slice(0, 3)
    .map((x) => x.n);
  throw new Error(
    `unknown loss '${name}'; did you mean ${closest.join(', ')}? (\`losskit explain --list\` lists them all)`,
  );
}
