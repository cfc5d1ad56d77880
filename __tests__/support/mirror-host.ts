// A static mirror host for fault tests: a loopback server that serves a mirror folder as plain
// files (what nginx, a bucket or a CDN does) and answers one path differently when a test says
// so — a status for the next N requests, other bytes, a redirect. It records every request.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startTestServer, type TestServer } from './http-test-server.js';

export type HostFault =
  | { readonly kind: 'status'; readonly status: number; readonly times?: number }
  | { readonly kind: 'body'; readonly body: string | Uint8Array }
  | { readonly kind: 'redirect'; readonly location: string };

export interface MirrorHost {
  readonly server: TestServer;
  /** `<origin>/webc-mirror.json` */
  readonly descriptorUrl: string;
  /** Answers `path` (e.g. `/webc-mirror.json`) with `fault` until cleared (or `times` ran out). */
  fault(path: string, fault: HostFault): void;
  clear(): void;
  close(): Promise<void>;
}

export async function startMirrorHost(dir: string): Promise<MirrorHost> {
  const faults = new Map<string, { fault: HostFault; left: number }>();
  const server = await startTestServer(async (req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const planned = faults.get(path);
    if (planned !== undefined && planned.left > 0) {
      planned.left -= 1;
      const { fault } = planned;
      if (fault.kind === 'status') res.writeHead(fault.status).end();
      else if (fault.kind === 'redirect') res.writeHead(302, { location: fault.location }).end();
      else res.writeHead(200).end(Buffer.from(fault.body));
      return;
    }
    // Plain files under the folder; the paths tests use are the mirror's own.
    const bytes = await readFile(join(dir, ...path.split('/').filter(Boolean))).catch(
      () => undefined,
    );
    if (bytes === undefined) res.writeHead(404).end();
    else res.writeHead(200, { 'content-length': String(bytes.length) }).end(bytes);
  });
  return {
    server,
    descriptorUrl: server.url('/webc-mirror.json'),
    fault(path, fault) {
      faults.set(path, {
        fault,
        left: fault.kind === 'status' ? (fault.times ?? Infinity) : Infinity,
      });
    },
    clear() {
      faults.clear();
      server.requests.length = 0;
    },
    close: () => server.close(),
  };
}
