/**
 * Typed errors that the edges map to exit codes (cli) or HTTP statuses (api) in one place.
 * Bad rows are not errors: they are data (RejectedRow) and the run goes on without them.
 */

/** The user asked for something impossible: an unknown flag value, a missing reporting currency. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** The data source cannot be used at all: a missing folder, a required column missing. */
export class SourceError extends Error {
  override readonly name = 'SourceError';
}
