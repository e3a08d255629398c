// A real HTTP server on 127.0.0.1 for the http() tier's tests: it serves a map of path -> bytes (the paths the
// tier asks for are '/<prefix>/<32 hex digits>'), answers other statuses or stalls for paths told to, counts
// every request and keeps its method, path and headers. CORS headers let a page of another origin read it.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SeenRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
}

export class ArtefactServer {
  /** What GET serves, by path. */
  readonly files = new Map<string, Uint8Array>();
  /** Paths answered with this status (and no body) instead. */
  readonly statuses = new Map<string, number>();
  /** Paths never answered (for timeouts). */
  readonly stalled = new Set<string>();
  readonly requests: SeenRequest[] = [];
  readonly #server: Server;

  private constructor(server: Server) {
    this.#server = server;
  }

  static async start(): Promise<ArtefactServer> {
    const server = createServer();
    const artefacts = new ArtefactServer(server);
    server.on('request', (request, response) => {
      const path = request.url ?? '/';
      response.setHeader('access-control-allow-origin', '*');
      if (request.method === 'OPTIONS') {
        response.setHeader('access-control-allow-headers', request.headers['access-control-request-headers'] ?? '*');
        response.writeHead(204).end();
        return;
      }
      artefacts.requests.push({ method: request.method ?? '', path, headers: request.headers });
      if (artefacts.stalled.has(path)) return;
      const status = artefacts.statuses.get(path);
      const body = artefacts.files.get(path);
      if (status !== undefined || body === undefined) {
        response.writeHead(status ?? 404).end();
        return;
      }
      response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length });
      response.end(request.method === 'HEAD' ? undefined : body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return artefacts;
  }

  get origin(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  /** Requests seen for paths under `prefix`. */
  requestsUnder(prefix: string): SeenRequest[] {
    return this.requests.filter((request) => request.path.startsWith(`/${prefix}/`));
  }

  async stop(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}

/** A port on 127.0.0.1 that nothing listens on (it was free a moment ago). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
