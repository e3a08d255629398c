// A real HTTP file server on 127.0.0.1 for the workspace tests: serves a folder with the index pages, ETags,
// Last-Modified, HEAD, Range and folder redirects of common web servers, and counts every request it answers
// (CORS preflights apart). It allows any origin, as a CDN would, so that pages of another port may read it.
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

export class FileServer {
  readonly #server: Server;
  readonly url: string;
  /** Requests answered, by method. */
  readonly requests: Record<string, number>;

  private constructor(server: Server, requests: Record<string, number>) {
    this.#server = server;
    this.requests = requests;
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/files/`;
  }

  static async start(root: string): Promise<FileServer> {
    const requests: Record<string, number> = {};
    const server = createServer((request, response) => {
      response.setHeader('access-control-allow-origin', '*');
      response.setHeader('access-control-expose-headers', 'etag, last-modified, content-length, content-range, location');
      if (request.method === 'OPTIONS') {
        response.writeHead(204, { 'access-control-allow-headers': 'range', 'access-control-allow-methods': 'GET, HEAD' });
        return void response.end();
      }
      requests[request.method!] = (requests[request.method!] ?? 0) + 1;
      void serve(root, request.method!, decodeURIComponent(new URL(request.url!, 'http://x').pathname), request.headers.range, response);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return new FileServer(server, requests);
  }

  get total(): number {
    return Object.values(this.requests).reduce((sum, n) => sum + n, 0);
  }

  reset(): void {
    for (const method of Object.keys(this.requests)) delete this.requests[method];
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}

async function serve(root: string, method: string, pathname: string, range: string | undefined, response: import('node:http').ServerResponse): Promise<void> {
  if (!pathname.startsWith('/files/') || pathname.includes('..')) return void response.writeHead(404).end();
  const path = join(root, pathname.slice('/files/'.length));
  const stats = await stat(path).catch(() => undefined);
  if (stats === undefined) return void response.writeHead(404).end();
  if (stats.isDirectory()) {
    if (!pathname.endsWith('/')) return void response.writeHead(301, { location: `${pathname}/` }).end();
    const names = (await readdir(path, { withFileTypes: true })).map((d) => (d.isDirectory() ? `${d.name}/` : d.name)).sort();
    const links = names.map((name) => `<li><a href="${encodeURIComponent(name.replace(/\/$/, ''))}${name.endsWith('/') ? '/' : ''}">${name}</a></li>`);
    const html = `<!DOCTYPE html><html><body><h1>Index of ${pathname}</h1><ul><li><a href="../">../</a></li>${links.join('')}</ul></body></html>`;
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(html) });
    return void response.end(method === 'HEAD' ? undefined : html);
  }
  const headers = {
    etag: `"${stats.size.toString(16)}-${Math.trunc(stats.mtimeMs).toString(16)}"`,
    'last-modified': stats.mtime.toUTCString(),
    'accept-ranges': 'bytes',
    'content-type': 'application/octet-stream',
  };
  const match = range === undefined ? null : /^bytes=(\d+)-(\d*)$/.exec(range);
  if (match !== null) {
    const start = Number(match[1]);
    const end = Math.min(match[2] === '' ? stats.size - 1 : Number(match[2]), stats.size - 1);
    if (start >= stats.size) return void response.writeHead(416, { 'content-range': `bytes */${stats.size}` }).end();
    response.writeHead(206, { ...headers, 'content-range': `bytes ${start}-${end}/${stats.size}`, 'content-length': end - start + 1 });
    if (method === 'HEAD') return void response.end();
    return void createReadStream(path, { start, end }).pipe(response);
  }
  response.writeHead(200, { ...headers, 'content-length': stats.size });
  if (method === 'HEAD') return void response.end();
  createReadStream(path).pipe(response);
}
