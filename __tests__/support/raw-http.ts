// One HTTP/1.1 request written byte for byte on a socket, so a test can send request targets no
// client library would (`/../x`, `%2e%2e`, backslashes, absolute-form, NUL) and see exactly what
// the server answers.
import { connect } from 'node:net';

export interface RawResponse {
  readonly status: number;
  /** Lowercased names. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

export interface RawRequest {
  readonly method?: string;
  /** The request target exactly as it goes on the wire. */
  readonly target: string;
  readonly headers?: Readonly<Record<string, string>>;
}

export function rawRequest(port: number, request: RawRequest): Promise<RawResponse> {
  const lines = [
    `${request.method ?? 'GET'} ${request.target} HTTP/1.1`,
    'Host: 127.0.0.1',
    'Connection: close',
    ...Object.entries(request.headers ?? {}).map(([name, value]) => `${name}: ${value}`),
    '',
    '',
  ];
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('end', () => {
      const all = Buffer.concat(chunks);
      const split = all.indexOf('\r\n\r\n');
      const head = all.subarray(0, split).toString('latin1').split('\r\n');
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(head[0] ?? '')?.[1] ?? 0);
      const headers: Record<string, string> = {};
      for (const line of head.slice(1)) {
        const colon = line.indexOf(':');
        headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      resolve({ status, headers, body: all.subarray(split + 4) });
    });
    socket.write(Buffer.from(lines.join('\r\n'), 'latin1'));
  });
}
