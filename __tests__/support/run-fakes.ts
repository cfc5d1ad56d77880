// The in-memory fakes of a run's ports, written once for every run test: a registry (the
// client's `getPackage`, batched `getPackages` and `getPackageRelease`) listing packages whose
// containers are real bytes written by the project's writer (`use` maps included), and a
// download port serving those bytes through the real container check. Both record what they
// were asked; the download port also counts how many downloads were in flight at once, and can
// hold them until a number are in flight (a count, not a timing).
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type {
  DownloadOptions,
  DownloadRequest,
  DownloadResult,
} from '../../src/core/deliver/download.js';
import { WebcFetchError } from '../../src/core/errors.js';
import type { RunPorts } from '../../src/core/run/fetch-run.js';
import type {
  PackageLister,
  RawDistribution,
  RegistryClient,
  RegistryPackage,
} from '../../src/core/source/registry-client.js';
import { keepText } from '../../src/core/text/redaction.js';
import type { Logger, Sha256Hex, WebcVersion } from '../../src/core/types.js';
import { sayNeutral } from '../../src/core/words.js';
import { encodeWebc } from '../../src/webc/webc-writer.js';
import { dependentPackage } from '../../testing/seed.js';

export interface FakeVersion {
  readonly use?: Readonly<Record<string, string>>;
  /** `false`: not published. */
  readonly v3?: boolean;
  readonly v2?: boolean;
  /** The v2 container's own `use` map, when it differs from the v3 one. */
  readonly v2Use?: Readonly<Record<string, string>>;
}

export type FakeTree = Readonly<Record<string, Readonly<Record<string, FakeVersion>>>>;

const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex') as Sha256Hex;
const NONE: RawDistribution = { url: null, sha256: null, manifest: null, size: null };

export const fakeUrl = (full: string, version: string, webc: WebcVersion) =>
  `https://cdn.example/${full.replace('/', '--')}--${version}--${webc}.webc`;

export class FakeRegistry implements RegistryClient, PackageLister {
  readonly files = new Map<string, Uint8Array>();
  private readonly packages = new Map<string, RegistryPackage>();
  /** Names per call, in call order: `get:<name>` or `list:<a>,<b>`. */
  readonly calls: string[] = [];

  constructor(tree: FakeTree) {
    for (const [full, versions] of Object.entries(tree)) {
      const [namespace = '', name = ''] = full.split('/');
      const pkg: RegistryPackage = { namespace, name, versions: [] };
      for (const [version, spec] of Object.entries(versions)) {
        const dist = (webc: WebcVersion, use: Readonly<Record<string, string>>) => {
          if (spec[webc] === false) return NONE;
          const bytes = encodeWebc(dependentPackage(full, version, use), webc);
          const url = fakeUrl(full, version, webc);
          this.files.set(url, bytes);
          return { url, sha256: sha(bytes), manifest: '{}', size: bytes.length };
        };
        const use = spec.use ?? {};
        pkg.versions.push({
          version,
          isArchived: false,
          v3: dist('v3', use),
          v2: dist('v2', spec.v2Use ?? use),
        });
      }
      this.packages.set(full, pkg);
    }
  }

  /** The digest of a published container. */
  digest(full: string, version: string, webc: WebcVersion): Sha256Hex {
    const bytes = this.files.get(fakeUrl(full, version, webc));
    if (bytes === undefined) throw new Error(`${full}@${version} has no ${webc}`);
    return sha(bytes);
  }

  async getPackage(name: { full: string }): Promise<RegistryPackage | undefined> {
    this.calls.push(`get:${name.full}`);
    return structuredClone(this.packages.get(name.full));
  }

  async getPackages(names: readonly { full: string }[]) {
    this.calls.push(`list:${names.map((n) => n.full).join(',')}`);
    return new Map(names.map((n) => [n.full, structuredClone(this.packages.get(n.full))]));
  }

  async getPackageRelease(): Promise<undefined> {
    this.calls.push('release');
    return undefined;
  }
}

export class FakeDownloads {
  /** URLs asked for, in order. */
  readonly requested: string[] = [];
  /** URLs that answer with this status. */
  readonly failing = new Map<string, number>();
  private inFlight = 0;
  /** The most downloads in flight at once. */
  maxInFlight = 0;
  private held: (() => void)[] = [];
  private holding = 0;

  /**
   * `hold`: the first `count` downloads whose URL contains `match` wait until all `count` of
   * them are in flight, then go together (a count, not a timing: too few in flight never go).
   */
  constructor(
    private readonly registry: FakeRegistry,
    private readonly hold?: { readonly count: number; readonly match: string },
  ) {}

  readonly download = async <R>(
    request: DownloadRequest,
    options: DownloadOptions<R>,
  ): Promise<DownloadResult<R>> => {
    this.requested.push(request.url);
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      if (this.hold !== undefined && request.url.includes(this.hold.match))
        await this.gate(this.hold.count);
      const status = this.failing.get(request.url);
      const bytes = this.registry.files.get(request.url);
      if (status !== undefined || bytes === undefined)
        throw new WebcFetchError('DOWNLOAD_HTTP', `HTTP ${status ?? 404} for ${request.url}`);
      const sink = options.createSink?.();
      sink?.update(bytes);
      const report = sink?.finish();
      const actual = sha(bytes);
      if (actual !== request.expectedSha256)
        throw new WebcFetchError(
          'DIGEST_MISMATCH',
          `sha256 mismatch (expected ${request.expectedSha256}, got ${actual})`,
        );
      await mkdir(options.tempDir, { recursive: true });
      const path = join(options.tempDir, `dl-${this.requested.length}-${Math.random()}.tmp`);
      writeFileSync(path, bytes);
      return {
        path,
        sha256: actual,
        size: bytes.length,
        url: request.url,
        attempts: 1,
        sink: report,
      };
    } finally {
      this.inFlight -= 1;
    }
  };

  private gate(count: number): Promise<void> {
    this.holding += 1;
    if (this.holding > count) return Promise.resolve();
    if (this.holding === count) {
      for (const release of this.held.splice(0)) release();
      return Promise.resolve();
    }
    return new Promise((resolve) => this.held.push(resolve));
  }
}

export interface LoggedLines extends Logger {
  readonly infos: string[];
  readonly warnings: string[];
}

export function collectingLogger(): LoggedLines {
  const infos: string[] = [];
  const warnings: string[] = [];
  return {
    infos,
    warnings,
    info: (m) => infos.push(m),
    warning: (m) => warnings.push(m),
    debug: () => {},
  };
}

/** The run's ports over the fakes, with a staging folder in a fresh temp folder. */
export function fakeRunPorts(
  registry: FakeRegistry,
  downloads: FakeDownloads,
  over: Partial<RunPorts> = {},
): RunPorts & { readonly logger: LoggedLines; readonly root: string } {
  const root = mkdtempSync(join(tmpdir(), 'webc-fetch-run-test-'));
  return {
    root,
    registry,
    cache: undefined,
    download: downloads.download,
    stagingDir: join(root, 'staging'),
    userAgent: 'webc-fetch-test',
    logger: collectingLogger(),
    redact: keepText,
    say: sayNeutral,
    retry: { retries: 0, baseDelayMs: 1, maxDelayMs: 1, maxRetryAfterMs: 1 },
    ...over,
  } as RunPorts & { readonly logger: LoggedLines; readonly root: string };
}
