// A Wasmer-compatible registry on loopback: a GraphQL listener and a download listener on
// another port (another origin), both logging every request and both open to fault injection.
import {
  createServer as createHttpServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import { loadCatalogFile, type RegistryCatalog } from '../src/mirror/catalog.js';
import { indexCatalog, type HashCache, type IndexedCatalog } from '../src/mirror/catalog-index.js';
import { FILES_PREFIX, handleDownload } from '../src/mirror/download-handler.js';
import {
  FaultList,
  type FaultDecision,
  type FaultKind,
  type FaultRequest,
  type FaultRule,
  type ListenerName,
} from './faults.js';
import { handleGraphql, type ListenerContext } from '../src/mirror/graphql-handler.js';
import type { RegistryUrls } from '../src/mirror/graphql-schema.js';
import { RegistryServerError } from '../src/mirror/mirror-error.js';
import { Sleeper } from './sleeper.js';

export type RegistryHost = '127.0.0.1' | '::1' | 'localhost';

export interface RegistryTlsOptions {
  key: string | Buffer;
  cert: string | Buffer;
  /** Which listeners speak HTTPS; default both. */
  listeners?: readonly ListenerName[];
}

export interface RegistryServerOptions {
  /** Folder of the container files; holds `registry.json` when `catalog` is not given. */
  dir?: string;
  /** The catalog, with file names relative to `dir` (default: the working directory). */
  catalog?: RegistryCatalog;
  host?: RegistryHost;
  /** 0 (default) picks a free port. */
  port?: number;
  downloadPort?: number;
  faults?: readonly FaultRule[];
  tls?: RegistryTlsOptions;
}

export interface RequestRecord {
  readonly listener: ListenerName;
  readonly method: string;
  /** Path with query, as sent. */
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  /** `Date.now()` when the request arrived. */
  readonly time: number;
  /** The faults applied to it, in the order decided (filled in once decided). */
  readonly faults: FaultKind[];
}

export interface RunningRegistry {
  /** e.g. http://127.0.0.1:PORT/graphql */
  readonly graphqlUrl: string;
  /** e.g. http://127.0.0.1:OTHERPORT/files/ — a different origin from the GraphQL listener. */
  readonly downloadBaseUrl: string;
  /** Scheme, host and port of each listener (no trailing slash). */
  readonly origins: Readonly<Record<ListenerName, string>>;
  /** Every request both listeners saw, oldest first (a live array). */
  readonly requests: readonly RequestRecord[];
  readonly faults: FaultList;
  /** The catalog currently served. */
  readonly catalog: RegistryCatalog;
  /** This server's download URL for a catalog file name. */
  downloadUrl(file: string): string;
  clearRequests(): void;
  /** Re-reads `registry.json` (or re-hashes the given catalog's files). */
  reload(): Promise<void>;
  setCatalog(catalog: RegistryCatalog): Promise<void>;
  close(): Promise<void>;
}

const HOSTS: readonly string[] = ['127.0.0.1', '::1', 'localhost'];

export async function startRegistry(options: RegistryServerOptions = {}): Promise<RunningRegistry> {
  const host = options.host ?? '127.0.0.1';
  if (!HOSTS.includes(host)) {
    throw new RegistryServerError(
      `The registry listens on loopback only; host must be one of ${HOSTS.join(', ')}, not "${host}".`,
    );
  }
  const dir = options.dir ?? process.cwd();
  if (options.catalog === undefined && options.dir === undefined) {
    throw new RegistryServerError('startRegistry needs a catalog or a dir holding registry.json.');
  }
  const hashCache: HashCache = new Map();
  const load = async (catalog?: RegistryCatalog): Promise<IndexedCatalog> =>
    indexCatalog(catalog ?? (await loadCatalogFile(dir)), dir, hashCache);
  return new Registry(host, options, await load(options.catalog), load).listen();
}

class Registry implements RunningRegistry {
  readonly faults = new FaultList();
  readonly requests: RequestRecord[] = [];
  origins: Record<ListenerName, string> = { graphql: '', download: '' };
  private readonly sleeper = new Sleeper();
  private readonly sockets = new Set<Socket>();
  private readonly records = new WeakMap<IncomingMessage, RequestRecord>();
  private readonly servers: Record<ListenerName, Server>;
  private closing: Promise<void> | undefined;
  private readonly urls: RegistryUrls;

  constructor(
    private readonly host: RegistryHost,
    private readonly options: RegistryServerOptions,
    private index: IndexedCatalog,
    private readonly load: (catalog?: RegistryCatalog) => Promise<IndexedCatalog>,
  ) {
    this.faults.set(options.faults ?? []);
    const context: ListenerContext = {
      origins: this.origins,
      sleeper: this.sleeper,
      takeFaults: (req, request) => this.takeFaults(req, request),
      current: () => ({ index: this.index, urls: this.urls }),
    };
    this.servers = {
      graphql: this.createServer('graphql', (req, res) => handleGraphql(req, res, context)),
      download: this.createServer('download', (req, res) => handleDownload(req, res, context)),
    };
    // Getters: the origins are known only once both listeners are bound.
    const origins = this.origins;
    this.urls = {
      get baseUrl() {
        return origins.graphql;
      },
      get graphqlUrl() {
        return `${origins.graphql}/graphql`;
      },
      downloadUrl: (file) => this.downloadUrl(file),
    };
  }

  get graphqlUrl(): string {
    return `${this.origins.graphql}/graphql`;
  }

  get downloadBaseUrl(): string {
    return `${this.origins.download}${FILES_PREFIX}`;
  }

  get catalog(): RegistryCatalog {
    return this.index.catalog;
  }

  downloadUrl(file: string): string {
    return this.downloadBaseUrl + file.split('/').map(encodeURIComponent).join('/');
  }

  clearRequests(): void {
    this.requests.length = 0;
  }

  async reload(): Promise<void> {
    this.index = await this.load(this.options.catalog);
  }

  async setCatalog(catalog: RegistryCatalog): Promise<void> {
    this.options.catalog = catalog;
    this.index = await this.load(catalog);
  }

  async listen(): Promise<this> {
    try {
      this.origins.graphql = await this.bind('graphql', this.options.port ?? 0);
      this.origins.download = await this.bind('download', this.options.downloadPort ?? 0);
    } catch (error) {
      await this.close();
      throw error;
    }
    return this;
  }

  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  private async shutDown(): Promise<void> {
    this.sleeper.cancelAll();
    const closed = Object.values(this.servers).map(
      (server) =>
        new Promise<void>((resolve) =>
          server.listening ? server.close(() => resolve()) : resolve(),
        ),
    );
    for (const socket of this.sockets) socket.destroy();
    await Promise.all(closed);
  }

  private createServer(
    listener: ListenerName,
    handle: (req: IncomingMessage, res: ServerResponse) => Promise<void>,
  ): Server {
    const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
      const record: RequestRecord = {
        listener,
        method: req.method ?? '',
        path: req.url ?? '',
        headers: { ...req.headers },
        time: Date.now(),
        faults: [],
      };
      this.requests.push(record);
      this.records.set(req, record);
      handle(req, res).catch(() => {
        if (!res.headersSent) res.writeHead(500).end();
        else res.destroy();
      });
    };
    const tls = this.options.tls;
    const server =
      tls && this.isSecure(listener)
        ? createHttpsServer({ key: tls.key, cert: tls.cert }, onRequest)
        : createHttpServer(onRequest);
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    return server;
  }

  private isSecure(listener: ListenerName): boolean {
    const tls = this.options.tls;
    return tls !== undefined && (tls.listeners ?? ['graphql', 'download']).includes(listener);
  }

  private takeFaults(req: IncomingMessage, request: FaultRequest): FaultDecision {
    const decision = this.faults.take(request);
    const applied = this.records.get(req)?.faults;
    if (decision.barriers) applied?.push('barrier');
    if (decision.delayMs > 0) applied?.push('delay');
    if (decision.fault) applied?.push(decision.fault.kind);
    return decision;
  }

  private bind(listener: ListenerName, port: number): Promise<string> {
    const server = this.servers[listener];
    return new Promise((resolve, reject) => {
      server.once('error', (cause) =>
        reject(
          new RegistryServerError(
            `The ${listener} listener cannot listen on ${this.host}:${port}: ${cause.message}`,
            { cause },
          ),
        ),
      );
      server.listen(port, this.host, () => {
        const address = server.address();
        const bound = typeof address === 'object' && address ? address.port : port;
        const scheme = this.isSecure(listener) ? 'https' : 'http';
        const hostname = this.host === '::1' ? '[::1]' : this.host;
        resolve(`${scheme}://${hostname}:${bound}`);
      });
    });
  }
}
