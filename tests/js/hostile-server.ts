// An HTTP server on 127.0.0.1 that misbehaves as a remote tier or mount must survive, for S3 and HTTP clients:
//   'silent'   reads each request and never answers it
//   'stall'    answers 200 with a 1,000-byte body announced, sends 10 bytes of it, then nothing
//   'trickle'  answers 200 with a 1,000-byte body announced, then sends one byte every 50 ms
//   'echo'     answers every request with what a careless or hostile service could send back: each request
//              header's value raw, URL-encoded (once and twice), JSON-escaped, in hex and in base64 (standard and
//              URL-safe, at every alignment) inside an S3 XML error document, its request id header and a
//              Location; a first request under /redirect/ is redirected (307) to a URL carrying them in its query
// A HEAD of the bucket itself (`HEAD /<bucket>`) is answered 200 unless `bucketToo`, so that a cache can open.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export type Misbehaviour = 'silent' | 'stall' | 'trickle' | 'echo';

const ANNOUNCED = 1000;
/** So that a page of another origin gets as far as the body. */
const ANY_ORIGIN = { 'access-control-allow-origin': '*' };

/** Every form the echo server sends `value` back in. */
export function echoForms(value: string): string[] {
  const forms = [value, encodeURIComponent(value), encodeURIComponent(encodeURIComponent(value)), JSON.stringify(value),
    Buffer.from(value).toString('hex'), Buffer.from(value).toString('hex').toUpperCase()];
  for (const before of ['', 'a', 'ab']) {
    forms.push(Buffer.from(before + value).toString('base64'), Buffer.from(before + value).toString('base64url'));
  }
  return forms;
}

const xmlEscape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export class HostileServer {
  readonly url: string;
  /** The value of every request header the server saw, so that a test knows what must not come back. */
  readonly seen = new Set<string>();
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  readonly #timers = new Set<ReturnType<typeof setInterval>>();

  private constructor(server: Server) {
    this.#server = server;
    const address = server.address();
    this.url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    server.on('connection', (socket: Socket) => {
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
    });
  }

  static async start(mode: Misbehaviour, { bucketToo = false, bucket = 'strata-test' } = {}): Promise<HostileServer> {
    let self: HostileServer | undefined;
    const server = createServer((request, response) => self!.#answer(mode, request, response, bucketToo ? '' : `/${bucket}`));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    self = new HostileServer(server);
    return self;
  }

  /** How many connections are open to the server now. */
  get connections(): number {
    return this.#sockets.size;
  }

  async close(): Promise<void> {
    for (const timer of this.#timers) clearInterval(timer);
    for (const socket of this.#sockets) socket.destroy();
    await new Promise((resolve) => this.#server.close(resolve));
  }

  #answer(mode: Misbehaviour, request: IncomingMessage, response: ServerResponse, openBucket: string): void {
    request.resume();
    for (const [name, value] of Object.entries(request.headers)) {
      if (typeof value === 'string' && !['host', 'content-length', 'connection', 'accept', 'user-agent'].includes(name)) {
        this.seen.add(value);
      }
    }
    if (request.method === 'HEAD' && request.url === openBucket) {
      response.writeHead(200).end();
      return;
    }
    switch (mode) {
      case 'silent':
        return;
      case 'stall':
        response.writeHead(200, { 'content-length': ANNOUNCED, ...ANY_ORIGIN });
        response.write(Buffer.alloc(10, 0x61));
        return;
      case 'trickle': {
        response.writeHead(200, { 'content-length': ANNOUNCED, ...ANY_ORIGIN });
        const timer = setInterval(() => response.write('a'), 50);
        this.#timers.add(timer);
        response.on('close', () => {
          clearInterval(timer);
          this.#timers.delete(timer);
        });
        return;
      }
      case 'echo':
        return this.#echo(request, response);
    }
  }

  #echo(request: IncomingMessage, response: ServerResponse): void {
    const values = Object.values(request.headers).filter((value): value is string => typeof value === 'string');
    const everything = values.flatMap(echoForms).join(' ');
    const query = values.map((value, i) => `h${i}=${encodeURIComponent(value)}`).join('&');
    if (request.url!.startsWith('/redirect/') && !request.url!.includes('echoed=1')) {
      response.writeHead(307, { location: `${request.url!.split('?')[0]}?echoed=1&${query}` }).end();
      return;
    }
    const body = '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>SignatureDoesNotMatch</Code>' +
      `<Message>${xmlEscape(everything)}</Message><StringToSign>${xmlEscape(everything)}</StringToSign>` +
      `<RequestId>${xmlEscape(values.join(' '))}</RequestId></Error>`;
    response.writeHead(403, {
      'content-type': 'application/xml',
      'x-amz-request-id': values.join(' ').replace(/[^\x20-\x7e]/g, ''),
      location: `http://127.0.0.1:1/?${query}`,
      'content-length': Buffer.byteLength(request.method === 'HEAD' ? '' : body),
    });
    response.end(request.method === 'HEAD' ? undefined : body);
  }
}
