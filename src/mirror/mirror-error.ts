// The mirror's own failures (a bad catalog, a port in use, bad options): a small error class
// of its own, since they concern the folder being served, not a fetch.

export class MirrorError extends Error {
  override readonly name: string = 'MirrorError';

  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
  }
}
