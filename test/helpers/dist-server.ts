// A local HTTP server for the browser tests: the files of a folder (the built core's dist/),
// plus pages a test writes itself, with optional response headers (cross-origin isolation).
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';

const types: Record<string, string> = { '.js': 'text/javascript', '.html': 'text/html' };

export interface DistServer {
  /** `http://127.0.0.1:<port>/`. */
  readonly base: string;
  close(): void;
}

/**
 * Serves `folder` at the root; `pages` maps a path ('/', '/worker.js') to its type and body;
 * `headers(request)` adds response headers to every answer.
 */
export async function serveFolder(
  folder: string,
  pages: Readonly<Record<string, { readonly type: string; readonly body: string }>> = {},
  headers: (request: IncomingMessage) => Record<string, string> = () => ({}),
): Promise<DistServer> {
  const server = createServer(async (request, response) => {
    const path = normalize(decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname));
    const extra = headers(request);
    const page = pages[path];
    if (page !== undefined) {
      response.writeHead(200, { 'content-type': page.type, ...extra }).end(page.body);
      return;
    }
    try {
      const body = await readFile(join(folder, path));
      response
        .writeHead(200, { 'content-type': types[extname(path)] ?? 'application/octet-stream', ...extra })
        .end(body);
    } catch {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, close: () => server.close() };
}
