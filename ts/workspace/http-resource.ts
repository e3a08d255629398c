// httpResource: files served over HTTP(S) below a base URL, through fetch (Node 20+ and browsers). Directories
// are the HTML index pages web servers generate (nginx autoindex, Apache, `python3 -m http.server`): their
// links to names in the same folder are the entries, a trailing '/' marking a folder. Listings carry no sizes;
// `stat` (HEAD) gives size, ETag and Last-Modified. Reads of a range use a Range request.
import { invalidArg, StrataError } from '../errors.js';
import { bodyAllowanceMs, timerDelay } from '../http-driver.js';
import { parseTimeout } from '../tiers.js';
import type { Duration } from '../units.js';
import type { ByteRange, Listing, ReadResult, Resource, ResourceEntry } from './resource.js';

export interface HttpResourceOptions {
  /** Sent with every request, e.g. `{ authorization: 'Bearer ...' }`. */
  headers?: Record<string, string>;
  /** The fetch to use. Default: the global one. */
  fetch?: typeof fetch;
  /**
   * The longest one call (`list`, `stat`, `read`) waits on the server (connecting, silence, a stalled or
   * trickling body), plus one second for each whole MiB a response announces; then it rejects with ERR_TIMEOUT.
   * Default `'10s'`.
   */
  timeout?: Duration;
}

/**
 * The bound of one call: its requests and bodies share an AbortSignal that fires when the caller's does, once
 * the timeout (plus what the bodies announced earn) has passed, or when the resource closes.
 */
class CallDeadline {
  readonly #controller = new AbortController();
  readonly #started = Date.now();
  readonly #timeoutMs: number;
  readonly #caller: AbortSignal | undefined;
  readonly #forward = () => this.#controller.abort(this.#caller?.reason);
  #allowanceMs = 0;
  #timer: ReturnType<typeof setTimeout>;

  constructor(timeoutMs: number, caller: AbortSignal | undefined) {
    this.#timeoutMs = timeoutMs;
    this.#caller = caller;
    if (caller?.aborted) this.#forward();
    caller?.addEventListener('abort', this.#forward, { once: true });
    this.#timer = this.#arm();
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }
  get timedOut(): boolean {
    return this.#reasonName === 'TimeoutError';
  }
  get closed(): boolean {
    return this.#reasonName === 'ClosedError';
  }
  close(): void {
    this.#controller.abort(new DOMException('the resource closed', 'ClosedError'));
  }
  /** A response announced its body: the call may take longer by what that earns. */
  earn(response: Response): void {
    this.#allowanceMs += bodyAllowanceMs(response);
    clearTimeout(this.#timer);
    this.#timer = this.#arm();
  }
  end(): void {
    clearTimeout(this.#timer);
    this.#caller?.removeEventListener('abort', this.#forward);
  }

  get #reasonName(): string | undefined {
    return (this.signal.reason as { name?: string } | undefined)?.name;
  }

  #arm(): ReturnType<typeof setTimeout> {
    const left = this.#started + this.#timeoutMs + this.#allowanceMs - Date.now();
    const reason = new DOMException(`no answer within the timeout (${this.#timeoutMs} ms)`, 'TimeoutError');
    return setTimeout(() => this.#controller.abort(reason), timerDelay(left));
  }
}

const HREF = /href\s*=\s*(?:"([^"]*)"|'([^']*)')/gi;

function baseUrlOf(base: string | URL): URL {
  let url: URL;
  try {
    url = new URL(String(base));
  } catch {
    throw invalidArg('httpResource needs an absolute http:// or https:// URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalidArg('httpResource needs an http:// or https:// URL');
  if (url.search || url.hash) throw invalidArg('httpResource base URL must not have a query or fragment');
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  return url;
}

/** The entry names of an index page: links to a name in the page's own folder, decoded. */
export function indexEntries(html: string): ResourceEntry[] {
  const entries = new Map<string, ResourceEntry>();
  for (const match of html.matchAll(HREF)) {
    let href = (match[1] ?? match[2] ?? '').replace(/[?#].*$/, '');
    if (href.startsWith('./')) href = href.slice(2);
    const directory = href.endsWith('/');
    const raw = directory ? href.slice(0, -1) : href;
    if (raw === '' || raw.includes('/') || raw.includes(':') || raw === '.' || raw === '..') continue;
    let name: string;
    try {
      name = decodeURIComponent(raw);
    } catch {
      continue;
    }
    if (name.includes('/') || name === '..' || name === '.') continue;
    entries.set(name, directory ? { name, type: 'directory', size: 0 } : { name, type: 'file' });
  }
  return [...entries.values()];
}

function entryFromHeaders(name: string, headers: Headers, size: number | undefined): ResourceEntry {
  const etag = headers.get('etag')?.replace(/^W\//, '').replace(/^"(.*)"$/, '$1');
  const modified = Date.parse(headers.get('last-modified') ?? '');
  return {
    name,
    type: 'file',
    ...(size === undefined ? {} : { size }),
    ...(Number.isNaN(modified) ? {} : { mtimeMs: modified }),
    ...(etag ? { etag } : {}),
  };
}

/** Why a request or a body read of a call failed, as a StrataError naming `what`. */
function failure(error: unknown, what: string, deadline: CallDeadline): StrataError {
  if (deadline.closed) return closedError(what);
  if (deadline.timedOut) return new StrataError('ERR_TIMEOUT', `${what}: ${(deadline.signal.reason as Error).message}`, { retryable: true });
  if (deadline.signal.aborted) return new StrataError('ERR_ABORTED', `${what}: aborted`, { cause: error });
  return new StrataError('ERR_UNAVAILABLE', `${what}: could not connect`, { cause: error });
}

const closedError = (what: string) => new StrataError('ERR_CLOSED', `${what}: the resource is closed`);

const isRedirect = (response: Response): boolean => response.type === 'opaqueredirect' || (response.status >= 300 && response.status < 400);

/** Files under `baseUrl` (a folder URL), read over HTTP. Node and browsers. */
export function httpResource(baseUrl: string | URL, options: HttpResourceOptions = {}): Resource {
  const base = baseUrlOf(baseUrl);
  const doFetch = options.fetch ?? globalThis.fetch;
  if (typeof doFetch !== 'function') throw invalidArg('httpResource needs fetch (Node 20+ or a browser)');
  const headers = { ...(options.headers ?? {}) };
  const timeoutMs = parseTimeout(options.timeout);
  const urlOf = (path: string, directory: boolean): URL => {
    const encoded = path === '' ? '' : path.split('/').map(encodeURIComponent).join('/');
    return new URL(encoded + (directory && encoded !== '' ? '/' : ''), base);
  };
  // One request of a call, under its deadline: failures to get an answer, and statuses that are neither a
  // success, a redirect, 404 nor 416, reject with a StrataError.
  const request = async (url: URL, init: RequestInit, deadline: CallDeadline): Promise<Response> => {
    const method = init.method ?? 'GET';
    let response: Response;
    try {
      response = await doFetch(url, {
        ...init,
        headers: { ...headers, ...(init.headers as Record<string, string>) },
        redirect: 'manual',
        signal: deadline.signal,
      });
    } catch (error) {
      throw failure(error, `${method} ${url.href}`, deadline);
    }
    deadline.earn(response);
    if (response.ok || isRedirect(response) || response.status === 404 || response.status === 416) return response;
    await response.body?.cancel();
    throw new StrataError('ERR_IO', `${method} ${url.href}: HTTP ${response.status}`, {
      retryable: response.status >= 500 || response.status === 429,
    });
  };
  // Runs one call's requests and body reads under one deadline; whatever its abort cuts short is ERR_TIMEOUT or
  // ERR_ABORTED.
  const open = new Set<CallDeadline>(); // the calls close() ends
  let closed = false;
  const call = async <T>(what: string, signal: AbortSignal | undefined, work: (deadline: CallDeadline) => Promise<T>): Promise<T> => {
    if (closed) throw closedError(what);
    const deadline = new CallDeadline(timeoutMs, signal);
    open.add(deadline);
    try {
      return await work(deadline);
    } catch (error) {
      throw error instanceof StrataError && !deadline.closed ? error : failure(error, what, deadline);
    } finally {
      open.delete(deadline);
      deadline.end();
    }
  };
  const nameOf = (path: string): string => path.slice(path.lastIndexOf('/') + 1);

  return {
    kind: 'http',
    id: `${base.origin}${base.pathname}`, // no user, password or header: those are not stored
    /** Calls in flight reject with ERR_CLOSED at once, and later calls too. */
    async close(): Promise<void> {
      closed = true;
      for (const deadline of open) deadline.close();
    },
    list(path: string, signal?: AbortSignal): Promise<Listing | undefined> {
      const url = urlOf(path, true);
      return call(`GET ${url.href}`, signal, async (deadline) => {
        const response = await request(url, { method: 'GET' }, deadline);
        if (!response.ok) {
          await response.body?.cancel();
          return undefined;
        }
        return { entries: indexEntries(await response.text()), deep: false };
      });
    },
    async stat(path: string, signal?: AbortSignal): Promise<ResourceEntry | undefined> {
      if (path === '') return { name: '', type: 'directory', size: 0 };
      const url = urlOf(path, false);
      return call(`HEAD ${url.href}`, signal, async (deadline) => {
        const response = await request(url, { method: 'HEAD' }, deadline);
        if (response.ok) {
          const length = Number(response.headers.get('content-length') ?? NaN);
          return entryFromHeaders(nameOf(path), response.headers, Number.isSafeInteger(length) ? length : undefined);
        }
        // A folder without its trailing '/' is redirected to it (or, on some servers, only found with it).
        const folder = isRedirect(response) || (await request(urlOf(path, true), { method: 'HEAD' }, deadline)).ok;
        return folder ? { name: nameOf(path), type: 'directory', size: 0 } : undefined;
      });
    },
    read(path: string, range?: ByteRange, signal?: AbortSignal): Promise<ReadResult | undefined> {
      const url = urlOf(path, false);
      return call(`GET ${url.href}`, signal, (deadline) => readRange(url, path, range, deadline));
    },
  };

  async function readRange(url: URL, path: string, range: ByteRange | undefined, deadline: CallDeadline): Promise<ReadResult | undefined> {
    const start = range?.start ?? 0;
    const ranged = range !== undefined && (start > 0 || range.end !== undefined);
    const rangeHeader: Record<string, string> = ranged ? { range: `bytes=${start}-${range.end === undefined ? '' : range.end - 1}` } : {};
    const response = await request(url, { method: 'GET', headers: rangeHeader }, deadline);
    if (response.status === 404 || isRedirect(response)) {
      await response.body?.cancel();
      return undefined;
    }
    const total = Number(/\/(\d+)$/.exec(response.headers.get('content-range') ?? '')?.[1] ?? NaN);
    if (response.status === 416) return { bytes: new Uint8Array(0), entry: entryFromHeaders(nameOf(path), response.headers, Number.isNaN(total) ? undefined : total) };
    let bytes = new Uint8Array(await response.arrayBuffer());
    if (response.status === 206) return { bytes, entry: entryFromHeaders(nameOf(path), response.headers, Number.isNaN(total) ? undefined : total) };
    const size = bytes.length;
    if (ranged) bytes = bytes.subarray(start, range.end); // the server sent it all
    return { bytes, entry: entryFromHeaders(nameOf(path), response.headers, size) };
  }
}
