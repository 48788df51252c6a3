/**
 * The unique keys (ids) claimed by the rows of one kind already read, and where each was first
 * claimed, so that a second row with the key is rejected naming the first. Each key maps to one
 * number (the line, and the index of its file among the few files of the kind) rather than to
 * an object: at a million customers this registry holds 7 million ids for the whole import, and
 * an object per id made reading 1.6 times slower (the garbage collector marks every one of them).
 */
import { assert } from '../engine/assert.js';
import type { SourceRef } from '../engine/model.js';

/** Files one registry can tell apart: a kind has a CSV and an NDJSON file. */
const MAX_FILES = 1024;

export class ClaimedKeys {
  private readonly files: string[] = [];
  private readonly places = new Map<string, number>();

  claim(key: string, where: SourceRef): void {
    let file = this.files.indexOf(where.file);
    if (file < 0) file = this.files.push(where.file) - 1;
    assert(file < MAX_FILES, `more than ${MAX_FILES} files share one key registry`);
    this.places.set(key, where.line * MAX_FILES + file);
  }

  isEmpty(): boolean {
    return this.places.size === 0;
  }

  /** Where the key was first claimed, or undefined when it is free. */
  firstClaim(key: string): SourceRef | undefined {
    const place = this.places.get(key);
    if (place === undefined) return undefined;
    return { file: this.files[place % MAX_FILES]!, line: Math.floor(place / MAX_FILES) };
  }
}
