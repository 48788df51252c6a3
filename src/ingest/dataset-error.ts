/**
 * A problem with a dataset as a whole (no usable files, a missing required column, a file that
 * cannot be read): nothing sensible can be computed from it, so reading stops. Problems with a
 * single row are never thrown: they become `RejectedRow`s.
 */
export class DatasetError extends Error {
  override readonly name = 'DatasetError';
}
