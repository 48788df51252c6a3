/**
 * The one place where errors become exit codes (cli.md "Errors and exit codes").
 */
import { CommanderError } from 'commander';
import { InvariantError } from '../engine/assert.js';
import { MissingRateError } from '../engine/fx/rate-table.js';
import { SourceError, UsageError } from '../app/errors.js';
import { DatasetError } from '../ingest/dataset-error.js';
import { ConfigurationMismatchError, StoreBusyError, StoreError } from '../store/store-port.js';

export const EXIT = { ok: 0, failure: 1, usage: 2, rejectedRows: 3 } as const;

export interface ReportedError {
  readonly exitCode: number;
  /** One line for stderr; null when commander already printed its own message. */
  readonly message: string | null;
}

export function reportError(error: unknown, debug: boolean): ReportedError {
  if (error instanceof CommanderError) {
    const exitCode = error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    return { exitCode, message: null };
  }
  if (error instanceof UsageError || error instanceof SourceError || error instanceof DatasetError || error instanceof MissingRateError) {
    return { exitCode: EXIT.usage, message: `runrate: ${error.message}` };
  }
  // A configuration the store was not computed with is the user's choice to make: usage.
  if (error instanceof ConfigurationMismatchError) return { exitCode: EXIT.usage, message: `runrate: ${error.message}` };
  // The store busy or unreachable: infrastructure, exit 1 with one clear line.
  if (error instanceof StoreBusyError || error instanceof StoreError) return { exitCode: EXIT.failure, message: `runrate: ${error.message}` };
  const detail = error instanceof Error ? error.message : String(error);
  const kind = error instanceof InvariantError ? 'internal error (a bug in Runrate, please report it)' : 'error';
  const stack = debug && error instanceof Error && error.stack ? `\n${error.stack}` : '';
  return { exitCode: EXIT.failure, message: `runrate: ${kind}: ${detail}${stack}` };
}
