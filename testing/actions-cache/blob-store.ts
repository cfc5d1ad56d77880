// One Azurite container seen the way the cache-service emulator needs it: signed (SAS) URLs to
// hand to @actions/cache, and direct reads and writes with the account key for the service's
// own checks and for tests that tamper with an entry between runs.

import {
  BlobSASPermissions,
  BlobServiceClient,
  StorageSharedKeyCredential,
  generateBlobSASQueryParameters,
  type ContainerClient,
} from '@azure/storage-blob';
import type { AzuriteProcess } from './azurite.js';

export type SasAccess = 'upload' | 'download';

export interface SasOptions {
  readonly access: SasAccess;
  /** Signs a URL that expired an hour ago: the blob store answers 403 to it. */
  readonly expired?: boolean;
}

export interface BlobStore {
  readonly container: string;
  /** A signed URL for one blob: upload = create + write, download = read only. */
  signedUrl(blob: string, options: SasOptions): string;
  read(blob: string): Promise<Buffer>;
  write(blob: string, bytes: Uint8Array): Promise<void>;
  /** The blob's size in bytes, or undefined when there is no such blob. */
  size(blob: string): Promise<number | undefined>;
}

const HOUR_MS = 60 * 60 * 1000;

export async function createBlobStore(
  azurite: AzuriteProcess,
  container = 'actions-cache',
): Promise<BlobStore> {
  const credential = new StorageSharedKeyCredential(azurite.accountName, azurite.accountKey);
  const client: ContainerClient = new BlobServiceClient(
    azurite.accountUrl,
    credential,
  ).getContainerClient(container);
  await client.createIfNotExists();

  return {
    container,
    signedUrl(blob, { access, expired = false }) {
      const now = Date.now();
      const sas = generateBlobSASQueryParameters(
        {
          containerName: container,
          blobName: blob,
          permissions: BlobSASPermissions.parse(access === 'upload' ? 'cw' : 'r'),
          startsOn: new Date(now - (expired ? 2 : 1) * HOUR_MS),
          expiresOn: new Date(now + (expired ? -1 : 1) * HOUR_MS),
        },
        credential,
      );
      return `${client.getBlockBlobClient(blob).url}?${sas.toString()}`;
    },
    async read(blob) {
      return client.getBlockBlobClient(blob).downloadToBuffer();
    },
    async write(blob, bytes) {
      await client.getBlockBlobClient(blob).uploadData(bytes);
    },
    async size(blob) {
      const blobClient = client.getBlockBlobClient(blob);
      if (!(await blobClient.exists())) return undefined;
      return (await blobClient.getProperties()).contentLength;
    },
  };
}
