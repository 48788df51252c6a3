/**
 * What the reader needs to know about one file kind: its columns, which of them must exist, how
 * duplicates are recognised, and the zod schema that turns one row into a record.
 */
import { z } from 'zod';
import type { SourceRef } from '../engine/model.js';
import type { DatasetFileKind } from './dataset-file-kind.js';
import { firstProblem, type Cell, type Cells } from './field-schemas.js';
import type { StringPool } from './string-pool.js';

export interface RowInput {
  /** Every column of `RowKind.columns`, '' where the row has no value. */
  readonly cells: Cells;
  /** Columns the kind does not know, for kinds that keep them (`[attribute key, value]`). */
  readonly extras: ReadonlyArray<readonly [string, Cell]>;
  readonly source: SourceRef;
  /** Where records take the strings that repeat across rows from (see string-pool). */
  readonly pool: StringPool;
}

export type RowOutcome<T> = { readonly ok: true; readonly record: T } | { readonly ok: false; readonly column: string; readonly message: string };

/** A key that must be unique within the dataset, and how to name it in a message. */
export interface UniqueKey {
  readonly key: string;
  readonly column: string;
  readonly label: string;
}

export interface RowKind<T> {
  readonly kind: DatasetFileKind;
  /** Every column the kind reads, in the order their problems are reported. */
  readonly columns: readonly string[];
  /** Columns that must exist in the file (values may still be rejected row by row). */
  readonly requiredColumns: readonly string[];
  /**
   * The id column, checked for duplicates before the rest of the row so that a repeated id is
   * reported even when the row has other problems; `of` reads it back from a record.
   */
  readonly id: { readonly column: string; readonly of: (record: T) => string } | null;
  /** The attribute an unknown column becomes; absent when the kind ignores unknown columns. */
  readonly attributeKey?: (column: string) => string | null;
  /**
   * With `attributeKey`: the attribute columns in the order the record lists their keys, or null
   * when that order depends on the row (see customerAttributeOrder).
   */
  readonly attributeOrder?: (columns: readonly string[]) => string[] | null;
  /** A uniqueness key computed from the parsed record, for kinds without an id column. */
  readonly uniqueKey?: (record: T) => UniqueKey;
  readonly schema: z.ZodType<T>;
  /** Rules that depend on the whole file: `columns` holds every column any row had. */
  readonly finish?: (records: T[], columns: ReadonlySet<string>) => void;
}

/** Passes the source and the extras through untouched: they come from the reader, not the user. */
export function rowSchema<const Shape extends z.core.$ZodLooseShape>(shape: Shape) {
  return z.object({
    cells: z.object(shape),
    extras: z.custom<RowInput['extras']>(),
    source: z.custom<SourceRef>(),
    pool: z.custom<StringPool>(),
  });
}

export function parseRow<T>(kind: RowKind<T>, input: RowInput): RowOutcome<T> {
  const result = kind.schema.safeParse(input);
  if (result.success) return { ok: true, record: result.data };
  return { ok: false, ...firstProblem(result.error) };
}
