import { expect } from 'vitest';
import { WebcFetchError } from '../../src/core/errors.js';

/** The WebcFetchError `promise` rejects with; fails the test if it resolves or throws anything else. */
export async function rejectionOf(promise: Promise<unknown>): Promise<WebcFetchError> {
  const error = await promise.then(
    () => new Error('expected a rejection, but the promise resolved'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WebcFetchError);
  return error as WebcFetchError;
}
