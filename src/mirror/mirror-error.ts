// The embedded registry is test and demo infrastructure, not part of the action, so its
// failures (bad catalog, bad fault file, bad options) get their own small error class
// instead of widening the action's `ErrorCode` union.

export class RegistryServerError extends Error {
  override readonly name = 'RegistryServerError';

  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
  }
}
