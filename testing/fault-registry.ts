// The fault-injecting registry of the test kit: the mirror's handlers over a folder, wrapped so
// that tests can make the registry claim other things (published-overrides.ts: a lying digest,
// a null URL, …) and answer badly (fault-response.ts: statuses, resets, stalls, gzip,
// redirects, …), with every request logged. The mirror itself can do neither.
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { answerDownload } from '../src/mirror/download-handler.js';
import { answerGraphql } from '../src/mirror/graphql-handler.js';
import {
  startListeners,
  type ListenerName,
  type MirrorHost,
  type MirrorTlsOptions,
} from '../src/mirror/listeners.js';
import { MirrorError } from '../src/mirror/mirror-error.js';
import { mirrorUrls, openMirrorFolder, type MirrorFolder } from '../src/mirror/mirror-folder.js';
import { catalogSource } from '../src/mirror/mirror-source.js';
import { sendWithFault } from './fault-response.js';
import { FaultList, type FaultKind, type FaultRequest, type FaultRule } from './faults.js';
import { withOverrides, type PublishMoment } from './published-overrides.js';
import { Sleeper } from './sleeper.js';
import { loadCatalogFile, truthOf, type RegistryCatalog } from './test-catalog.js';

export type RegistryHost = MirrorHost;
export type RegistryTlsOptions = MirrorTlsOptions;

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
  /** The catalog currently served, with its claims. */
  readonly catalog: RegistryCatalog;
  /**
   * GraphQL answers about `namespace/name` since the catalog was loaded (what a
   * `hiddenUntilQuery` distribution counts).
   */
  answersAbout(fullName: string): number;
  /** This server's download URL for a catalog file name. */
  downloadUrl(file: string): string;
  clearRequests(): void;
  /** Re-reads `registry.json` (or re-hashes the given catalog's files). */
  reload(): Promise<void>;
  setCatalog(catalog: RegistryCatalog): Promise<void>;
  close(): Promise<void>;
}

export async function startRegistry(options: RegistryServerOptions = {}): Promise<RunningRegistry> {
  if (options.catalog === undefined && options.dir === undefined) {
    throw new MirrorError('startRegistry needs a catalog or a dir holding registry.json.');
  }
  const dir = options.dir ?? process.cwd();
  const catalog = options.catalog ?? (await loadCatalogFile(dir));
  const registry = new FaultRegistry(
    { ...options, dir },
    await openMirrorFolder(dir, truthOf(catalog)),
    catalog,
  );
  await registry.listen();
  return registry;
}

class FaultRegistry implements RunningRegistry {
  readonly faults = new FaultList();
  readonly requests: RequestRecord[] = [];
  readonly origins: Record<ListenerName, string> = { graphql: '', download: '' };
  private readonly sleeper = new Sleeper();
  private readonly urls = mirrorUrls(this.origins);
  /** Answers given about each package, and when the catalog was loaded (hidden distributions). */
  private answers = new Map<string, number>();
  private loadedAt = Date.now();
  private closeListeners: () => Promise<void> = async () => {};
  private closing: Promise<void> | undefined;

  constructor(
    private readonly options: RegistryServerOptions & { dir: string },
    private readonly folder: MirrorFolder,
    /** What the registry claims: the test catalog, overrides included. */
    private claims: RegistryCatalog,
  ) {
    this.faults.set(options.faults ?? []);
  }

  get graphqlUrl(): string {
    return this.urls.graphqlUrl;
  }

  get downloadBaseUrl(): string {
    return this.urls.downloadBaseUrl;
  }

  get catalog(): RegistryCatalog {
    return this.claims;
  }

  answersAbout(fullName: string): number {
    return this.answers.get(fullName) ?? 0;
  }

  downloadUrl(file: string): string {
    return this.urls.downloadUrl(file);
  }

  clearRequests(): void {
    this.requests.length = 0;
  }

  async reload(): Promise<void> {
    this.claims = this.options.catalog ?? (await loadCatalogFile(this.options.dir));
    await this.folder.load(truthOf(this.claims));
    this.answers = new Map();
    this.loadedAt = Date.now();
  }

  async setCatalog(catalog: RegistryCatalog): Promise<void> {
    this.options.catalog = catalog;
    await this.reload();
  }

  async listen(): Promise<void> {
    const listeners = await startListeners(this.options, (listener, req, res) =>
      this.answer(listener, req, res),
    );
    Object.assign(this.origins, listeners.origins);
    this.closeListeners = listeners.close;
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      // A stalled or delayed response must never keep a test process alive.
      this.sleeper.cancelAll();
      await this.closeListeners();
    })();
    return this.closing;
  }

  /** This request's moment: each package it asks about counts one answer, however often asked. */
  private moment(): PublishMoment {
    const counted = new Map<string, number>();
    return {
      elapsedMs: Date.now() - this.loadedAt,
      answerAbout: (fullName) => {
        const known = counted.get(fullName);
        if (known !== undefined) return known;
        const answer = this.answersAbout(fullName) + 1;
        this.answers.set(fullName, answer);
        counted.set(fullName, answer);
        return answer;
      },
    };
  }

  private async answer(
    listener: ListenerName,
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<void> {
    const record: RequestRecord = {
      listener,
      method: req.method ?? '',
      path: req.url ?? '',
      headers: { ...req.headers },
      time: Date.now(),
      faults: [],
    };
    this.requests.push(record);
    const path = record.path || '/';
    let request: FaultRequest;
    let response;
    if (listener === 'graphql') {
      const truth = catalogSource(this.folder.index, this.urls.downloadUrl);
      const source = withOverrides(truth, this.claims, this.urls.downloadUrl, this.moment());
      const answer = await answerGraphql(req, { source, urls: this.urls });
      response = answer.response;
      request = { listener, path, operation: answer.operation };
    } else {
      response = await answerDownload({ method: record.method, path }, this.folder.index);
      request = { listener, path };
    }
    const decision = this.faults.take(request);
    if (decision.barriers) record.faults.push('barrier');
    if (decision.delayMs > 0) record.faults.push('delay');
    if (decision.fault) record.faults.push(decision.fault.kind);
    await sendWithFault(req, res, response, decision, {
      origins: this.origins,
      sleeper: this.sleeper,
    });
  }
}
