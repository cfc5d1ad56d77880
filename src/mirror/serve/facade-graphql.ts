// The facade's `/graphql`: Wasmer's queries (docs/mirror.md, "What Wasmer's clients ask")
// executed with `graphql` against the project's schema by the mirror's own handler, over the
// current generation, with download URLs made absolute on the public base URL the request is
// answered for (Wasmer rejects a whole answer with a relative URL). A generation never changes
// once loaded, so an answer is a pure function of (generation, base URL, request body): answers
// are kept per generation, bounded in bytes, and a repeated question costs no execution.
import type { IncomingMessage } from 'node:http';
import { GET_PACKAGE_QUERY, GET_PACKAGE_RELEASE_QUERY } from '../../core/source/queries.js';
import type { MirrorUrls } from '../graphql-schema.js';
import { answerGraphqlBody, readGraphqlBody, refuseGraphqlRequest } from '../graphql-handler.js';
import type {
  MirrorSource,
  PublishedDistribution,
  PublishedPackage,
  PublishedVersion,
} from '../mirror-source.js';
import type { PlainResponse } from '../plain-response.js';
import type { FacadeData, FacadeGeneration } from './facade-data.js';

/** A whole answer in memory: GraphQL answers are small, and sent with one write. */
export interface BufferedAnswer {
  readonly status: number;
  /** Without Content-Length. */
  readonly headers: Readonly<Record<string, string>>;
  readonly bytes: Buffer;
}

export interface FacadeGraphql {
  /** Answers a request to `/graphql`; `base` is the public base URL (no trailing slash). */
  answer(req: IncomingMessage, base: string): Promise<BufferedAnswer>;
  /**
   * Answers webc-fetch's own questions once, unsent, before the first client asks: parsing,
   * validating and executing them the first time costs far more than any later time (the code
   * is compiled then), and clients arriving together at a fresh server would all wait for it.
   */
  warm(): void;
}

/** Bytes of answers kept per generation; past it, answers are computed without being kept. */
const MAX_CACHED_BYTES = 64 * 1024 * 1024;
/** Longer request bodies are answered but not kept (Wasmer's documents are under 1 KiB). */
const MAX_CACHED_BODY = 16 * 1024;

export function createFacadeGraphql(data: FacadeData): FacadeGraphql {
  let cacheFor = 0;
  let cachedBytes = 0;
  const cache = new Map<string, BufferedAnswer>();
  return {
    async answer(req, base) {
      const refused = refuseGraphqlRequest(req);
      if (refused !== undefined) return buffered(refused);
      const body = await readGraphqlBody(req);
      // Read after the body arrived, so the answer is the newest generation's.
      const generation = data.current();
      if (generation.id !== cacheFor) {
        cache.clear();
        cachedBytes = 0;
        cacheFor = generation.id;
      }
      const key =
        body !== undefined && body.length <= MAX_CACHED_BODY
          ? `${base}\n${body.toString('utf8')}`
          : undefined;
      const hit = key === undefined ? undefined : cache.get(key);
      if (hit !== undefined) return hit;
      const { response } = answerGraphqlBody(body, {
        source: generationSource(data, generation, base),
        urls: facadeUrls(base),
      });
      const answer = await buffered(response);
      if (key !== undefined && answer.status === 200) {
        const size = answer.bytes.length + key.length;
        if (cachedBytes + size <= MAX_CACHED_BYTES) {
          cache.set(key, answer);
          cachedBytes += size;
        }
      }
      return answer;
    },
    warm() {
      const generation = data.current();
      const [name] = generation.packages.keys();
      const [hash] = generation.releases.keys();
      const asks = [
        { query: GET_PACKAGE_QUERY, variables: { name: name ?? 'a/b' } },
        { query: GET_PACKAGE_RELEASE_QUERY, variables: { hash: `sha256:${hash ?? ''}` } },
      ];
      const base = 'http://127.0.0.1';
      for (const ask of asks) {
        answerGraphqlBody(Buffer.from(JSON.stringify(ask)), {
          source: generationSource(data, generation, base),
          urls: facadeUrls(base),
        });
      }
    },
  };
}

async function buffered(response: PlainResponse): Promise<BufferedAnswer> {
  const { bytes } = response.body;
  if (bytes !== undefined) return { status: response.status, headers: response.headers, bytes };
  const chunks: Buffer[] = [];
  for await (const chunk of response.body.open() as AsyncIterable<Buffer>) chunks.push(chunk);
  return { status: response.status, headers: response.headers, bytes: Buffer.concat(chunks) };
}

/** `info` names the facade itself: Wasmer parses these as absolute URLs. */
export function facadeUrls(base: string): MirrorUrls {
  return {
    baseUrl: base,
    graphqlUrl: `${base}/graphql`,
    downloadUrl: (file) => `${base}/${file}`,
  };
}

/** The generation as a data source whose download URLs are absolute on `base`. */
function generationSource(
  data: FacadeData,
  generation: FacadeGeneration,
  base: string,
): MirrorSource {
  const absolute = (d: PublishedDistribution | undefined): PublishedDistribution | undefined =>
    d === undefined ? undefined : { ...d, url: `${base}/${d.url ?? ''}` };
  const version = (v: PublishedVersion): PublishedVersion => ({
    ...v,
    v2: absolute(v.v2),
    v3: absolute(v.v3),
  });
  const pkg = (p: PublishedPackage): PublishedPackage => ({
    ...p,
    versions: p.versions.map(version),
  });
  return {
    findPackage(name) {
      const found = data.findPackage(generation, name);
      return found === undefined ? undefined : pkg(found);
    },
    findRelease(hash) {
      // Wasmer sends `sha256:<hex>`; bare hex and upper case are accepted too.
      const release = generation.releases.get(hash.toLowerCase().replace(/^sha256:/, ''));
      if (release === undefined) return undefined;
      return { pkg: pkg(release.pkg), version: version(release.version), webc: release.webc };
    },
  };
}
