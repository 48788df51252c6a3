/**
 * A sorted array with each value once, in place (the array itself, shortened): the engine
 * dedupes days and source ids after sorting them, millions of times, so no Set and no copy.
 */
export function withoutRepeats<T>(sorted: T[]): T[] {
  let kept = 0;
  for (let i = 0; i < sorted.length; i++) if (i === 0 || sorted[i] !== sorted[kept - 1]) sorted[kept++] = sorted[i]!;
  sorted.length = kept;
  return sorted;
}
