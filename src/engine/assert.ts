/**
 * Broken invariants crash loudly (TIGER_STYLE): an assertion failure is a bug in Runrate,
 * never a problem with the user's data, which is reported as data instead.
 */
export class InvariantError extends Error {
  override readonly name = 'InvariantError';
}

export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new InvariantError(message);
}

export function assertNever(value: never, what: string): never {
  throw new InvariantError(`unexpected ${what}: ${String(value)}`);
}
