// Test kit for GitHub's cache service: Azurite as blob store, an emulator of the v2 twirp API,
// the runner's variables, a child-process client, and blob tampering helpers. Never bundled.
export * from './azurite.js';
export * from './blob-store.js';
export * from './cache-client.js';
export * from './cache-entries.js';
export * from './cache-service-faults.js';
export * from './cache-service.js';
export * from './emulator.js';
export * from './entry-blobs.js';
export * from './runner-env.js';
export * from './twirp-requests.js';
