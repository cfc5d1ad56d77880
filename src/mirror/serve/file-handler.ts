// GET and HEAD of the mirror's files: the request path resolved safely (served-file.ts), the
// answer decided from the headers (file-answer.ts), the bytes sent from one open handle through
// two reused buffers (range-send.ts), so memory does not grow with the blob and a file swapped
// after the check is never the one sent.
import { open } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendPlain, textResponse, type PlainResponse } from '../plain-response.js';
import { answerFile } from './file-answer.js';
import { sendFileRange } from './range-send.js';
import { resolveServedFile } from './served-file.js';

/** Sends a small response; resolves with the body bytes sent. */
export async function sendSmall(
  res: ServerResponse,
  response: PlainResponse,
  method: string,
): Promise<number> {
  await sendPlain(res, response, method === 'HEAD');
  return method === 'HEAD' ? 0 : response.body.length;
}

function capital(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Serves the file `pathname` names inside `realRoot` (the mirror folder's real path); resolves with the body bytes sent. */
export async function serveFile(
  req: IncomingMessage,
  res: ServerResponse,
  pathname: string,
  realRoot: string,
): Promise<number> {
  const method = req.method ?? 'GET';
  const served = await resolveServedFile(pathname, realRoot, realRoot);
  if (!served.ok) {
    return sendSmall(res, textResponse(served.status, `${capital(served.reason)}.\n`), method);
  }
  const missing = textResponse(404, 'No such file.\n');
  const handle = await open(served.path, 'r').catch(() => undefined);
  if (handle === undefined) return sendSmall(res, missing, method);
  try {
    const info = await handle.stat();
    if (!info.isFile()) return await sendSmall(res, missing, method);
    const { kind, relative } = served;
    const answer = answerFile(req.headers, {
      kind,
      relative,
      size: info.size,
      mtimeMs: info.mtimeMs,
    });
    res.writeHead(answer.status, answer.headers);
    if (method === 'HEAD' || answer.range === undefined) {
      res.end();
      return 0;
    }
    return await sendFileRange(handle, res, answer.range.start, answer.range.end);
  } finally {
    await handle.close();
  }
}
