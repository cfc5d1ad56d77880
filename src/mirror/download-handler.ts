// Serves catalog files at /files/<name>, streamed (files can be 1 GiB), from a listener of its
// own so tests can prove that the registry token never reaches the download origin.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { bufferBody, sendWithFault, type PlainResponse } from '../../testing/fault-response.js';
import type { ListenerContext } from './graphql-handler.js';

export const FILES_PREFIX = '/files/';

export async function handleDownload(
  req: IncomingMessage,
  res: ServerResponse,
  context: ListenerContext,
): Promise<void> {
  const path = req.url ?? '/';
  const normal =
    req.method === 'GET' || req.method === 'HEAD'
      ? await fileResponse(path, context)
      : { ...textResponse(405, 'Downloads are GET only.\n'), headers: { allow: 'GET, HEAD' } };
  const decision = context.takeFaults(req, { listener: 'download', path });
  await sendWithFault(req, res, normal, decision, context);
}

async function fileResponse(path: string, context: ListenerContext): Promise<PlainResponse> {
  const name = fileName(path);
  const facts = name === undefined ? undefined : context.current().index.files.get(name);
  if (!facts) return textResponse(404, `No such file: ${path}\n`);
  let size: number;
  try {
    const info = await stat(facts.path);
    if (!info.isFile()) return textResponse(404, `No such file: ${path}\n`);
    size = info.size;
  } catch {
    return textResponse(404, `No such file: ${path}\n`);
  }
  return {
    status: 200,
    headers: { 'content-type': 'application/webc' },
    body: { length: size, open: () => createReadStream(facts.path) },
  };
}

/** The catalog file name in a `/files/<name>` path, or undefined. Only catalog files are served. */
function fileName(path: string): string | undefined {
  const pathname = path.split('?')[0] ?? '';
  if (!pathname.startsWith(FILES_PREFIX)) return undefined;
  try {
    return decodeURIComponent(pathname.slice(FILES_PREFIX.length));
  } catch {
    return undefined;
  }
}

function textResponse(status: number, text: string): PlainResponse {
  return {
    status,
    headers: { 'content-type': 'text/plain; charset=utf-8' },
    body: bufferBody(text),
  };
}
