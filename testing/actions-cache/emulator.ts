// Azurite + blob container + cache-service endpoint, started and stopped as one.

import { startAzurite, type AzuriteProcess, type StartAzuriteOptions } from './azurite.js';
import { createBlobStore } from './blob-store.js';
import { startCacheService, type CacheService } from './cache-service.js';

export interface ActionsCacheEmulator {
  readonly azurite: AzuriteProcess;
  readonly service: CacheService;
  stop(): Promise<void>;
}

export interface EmulatorOptions extends StartAzuriteOptions {
  readonly stateFile?: string;
}

export async function startActionsCacheEmulator(
  options: EmulatorOptions = {},
): Promise<ActionsCacheEmulator> {
  const azurite = await startAzurite(options);
  try {
    const blobs = await createBlobStore(azurite);
    const service = await startCacheService({
      blobs,
      ...(options.stateFile ? { stateFile: options.stateFile } : {}),
    });
    return {
      azurite,
      service,
      stop: async () => {
        await service.close();
        await azurite.stop();
      },
    };
  } catch (error) {
    await azurite.stop();
    throw error;
  }
}
