// One Azurite + cache-service emulator per test file. Where Azurite cannot start (the package
// is missing, or it does not come up), every test that needs it is skipped with the reason as
// its note, and the reason is printed, so a skip is never silent.

import { afterAll, beforeAll, type TestContext } from 'vitest';
import {
  AzuriteUnavailableError,
  startActionsCacheEmulator,
  type ActionsCacheEmulator,
} from '../../testing/actions-cache/index.js';

export interface SharedEmulator {
  /** The running emulator; skips the calling test (with the reason) when Azurite is unavailable. */
  use(context: TestContext): ActionsCacheEmulator;
}

export function sharedEmulator(): SharedEmulator {
  let emulator: ActionsCacheEmulator | undefined;
  let unavailable: string | undefined;
  beforeAll(async () => {
    try {
      emulator = await startActionsCacheEmulator();
    } catch (error) {
      if (!(error instanceof AzuriteUnavailableError)) throw error;
      unavailable = `Azurite cannot start here: ${error.message}`;
      console.warn(`SKIPPING cache-service tests: ${unavailable}`);
    }
  });
  afterAll(async () => {
    await emulator?.stop();
  });
  return {
    use(context) {
      if (!emulator) context.skip(unavailable ?? 'the emulator did not start');
      return emulator as ActionsCacheEmulator;
    },
  };
}
