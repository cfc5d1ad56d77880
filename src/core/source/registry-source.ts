// What the `registry` setting names, as the two things a run needs from it: the client that
// answers "which versions exist" and the download that fetches the URLs that client publishes.
// A GraphQL endpoint gets the GraphQL client (the token to its origin only); a static mirror
// (a `webc-mirror.json` URL, a `file:` URL or a folder, see static-mirror-location.ts) gets the
// static client and never the token: a mirror is plain files on a host the registry token was
// not issued for, and nothing in a mirror needs one (docs/mirror.md, "Tokens").
import { download } from '../deliver/download.js';
import type { RetryPolicy } from '../http/retry.js';
import type { Redactor } from '../text/redaction.js';
import type { Logger } from '../types.js';
import type { Say } from '../words.js';
import { createGraphqlTransport } from './graphql-transport.js';
import {
  createRegistryClient,
  type PackageLister,
  type RegistryClient,
} from './registry-client.js';
import { createStaticMirrorClient } from './static-mirror-client.js';
import { localMirrorDownload, type Download } from './static-mirror-download.js';
import { createMirrorFileReader } from './static-mirror-files.js';
import { isStaticMirrorUrl } from './static-mirror-location.js';

export interface RegistrySourceOptions {
  /** The normalized `registry` setting. */
  readonly registry: string;
  readonly token: string | undefined;
  readonly userAgent: string;
  readonly retry: RetryPolicy;
  readonly requestTimeoutMs: number;
  readonly logger: Logger;
  readonly redact: Redactor;
  readonly say: Say;
  /** The overall bound. */
  readonly signal?: AbortSignal;
}

export interface RegistrySource {
  readonly kind: 'graphql' | 'static-mirror';
  readonly client: RegistryClient & PackageLister;
  /** Fetches the download URLs `client` publishes. */
  readonly download: Download;
}

export function createRegistrySource(options: RegistrySourceOptions): RegistrySource {
  const { registry, logger, signal } = options;
  if (!isStaticMirrorUrl(registry)) {
    const transport = createGraphqlTransport({
      endpoint: registry,
      token: options.token,
      userAgent: options.userAgent,
      retry: options.retry,
      requestTimeoutMs: options.requestTimeoutMs,
      logger,
      signal,
      say: options.say,
    });
    return {
      kind: 'graphql',
      client: createRegistryClient(transport, { logger, redact: options.redact }),
      download,
    };
  }
  if (options.token !== undefined && options.token !== '') {
    logger.info('The registry token is not sent to a static mirror (it reads plain files).');
  }
  const read = createMirrorFileReader({
    userAgent: options.userAgent,
    retry: options.retry,
    requestTimeoutMs: options.requestTimeoutMs,
    logger,
    say: options.say,
    ...(signal === undefined ? {} : { signal }),
  });
  const local = new URL(registry).protocol === 'file:';
  return {
    kind: 'static-mirror',
    client: createStaticMirrorClient({ descriptorUrl: registry, read, logger }),
    download: local ? localMirrorDownload(download) : download,
  };
}
