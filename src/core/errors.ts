/** Every error MosaicMe raises on purpose has one of these codes (documented in docs/errors.md). */
export const ERROR_CODES = [
  'INVALID_OPTION',
  'EMPTY_LIBRARY',
  'OUTPUT_TOO_LARGE',
  'UNREADABLE_IMAGE',
  'IMAGE_TOO_LARGE',
  'LIBRARY_CORRUPT',
  'LIBRARY_MISMATCH',
  'LIBRARY_LOCKED',
  'INVALID_MESSAGE',
  'UNSAFE_URL',
  'DOWNLOAD_FAILED',
  'INVALID_TARGET',
  'WALL_NOT_FOUND',
  'WALL_CLOSED',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** The one family of errors to catch; `code` says what went wrong, the message says it to a person. */
export class MosaicError extends Error {
  override name = 'MosaicError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** Retrying cannot help (bad input, impossible options), like BullMQ's UnrecoverableError. */
export class PermanentError extends MosaicError {
  override name = 'PermanentError';
}
