/**
 * Memory discipline for the strings records keep. A value cut out of a file chunk by the CSV
 * parser (or a readline) is, in V8, a view that keeps the whole chunk alive: holding on to one id
 * per row would keep the entire file in memory. Strings that records keep are therefore copied
 * out, and those that repeat across rows (customer, subscription and plan ids, attributes) are
 * shared through a pool, so forty invoice lines of one subscription hold one copy of its id.
 */

/** A copy of `text` that shares no storage with the string it was cut from. */
export function ownString(text: string): string {
  // Concatenation makes a new flat string of length + 1; the slice of it retains only that.
  return (' ' + text).slice(1);
}

export class StringPool {
  private readonly strings = new Map<string, string>();

  intern(text: string): string {
    let pooled = this.strings.get(text);
    if (pooled === undefined) {
      pooled = ownString(text);
      this.strings.set(pooled, pooled);
    }
    return pooled;
  }

  internOrNull(text: string | null): string | null {
    return text === null ? null : this.intern(text);
  }
}
