// httpResource: files served over HTTP(S) below a base URL, through fetch (Node 20+ and browsers). Directories
// are the HTML index pages web servers generate (nginx autoindex, Apache, `python3 -m http.server`): their
// links to names in the same folder are the entries, a trailing '/' marking a folder. Listings carry no sizes;
// `stat` (HEAD) gives size, ETag and Last-Modified. Reads of a range use a Range request.
import { invalidArg, StrataError } from '../errors.js';
import type { ByteRange, Listing, ReadResult, Resource, ResourceEntry } from './resource.js';

export interface HttpResourceOptions {
  /** Sent with every request, e.g. `{ authorization: 'Bearer ...' }`. */
  headers?: Record<string, string>;
  /** The fetch to use. Default: the global one. */
  fetch?: typeof fetch;
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

const isRedirect = (response: Response): boolean => response.type === 'opaqueredirect' || (response.status >= 300 && response.status < 400);

/** Files under `baseUrl` (a folder URL), read over HTTP. Node and browsers. */
export function httpResource(baseUrl: string | URL, options: HttpResourceOptions = {}): Resource {
  const base = baseUrlOf(baseUrl);
  const doFetch = options.fetch ?? globalThis.fetch;
  if (typeof doFetch !== 'function') throw invalidArg('httpResource needs fetch (Node 20+ or a browser)');
  const headers = { ...(options.headers ?? {}) };
  const urlOf = (path: string, directory: boolean): URL => {
    const encoded = path === '' ? '' : path.split('/').map(encodeURIComponent).join('/');
    return new URL(encoded + (directory && encoded !== '' ? '/' : ''), base);
  };
  const request = async (url: URL, init: RequestInit): Promise<Response> => {
    let response: Response;
    try {
      response = await doFetch(url, { ...init, headers: { ...headers, ...(init.headers as Record<string, string>) }, redirect: 'manual' });
    } catch (error) {
      const aborted = (error as { name?: string })?.name === 'AbortError';
      throw new StrataError(aborted ? 'ERR_ABORTED' : 'ERR_UNAVAILABLE', `${init.method ?? 'GET'} ${url.href}: ${aborted ? 'aborted' : 'could not connect'}`, { cause: error });
    }
    if (response.ok || isRedirect(response) || response.status === 404 || response.status === 416) return response;
    await response.body?.cancel();
    throw new StrataError('ERR_IO', `${init.method ?? 'GET'} ${url.href}: HTTP ${response.status}`, {
      retryable: response.status >= 500 || response.status === 429,
    });
  };
  const nameOf = (path: string): string => path.slice(path.lastIndexOf('/') + 1);

  return {
    kind: 'http',
    async list(path: string, signal?: AbortSignal): Promise<Listing | undefined> {
      const response = await request(urlOf(path, true), { method: 'GET', ...(signal ? { signal } : {}) });
      if (!response.ok) {
        await response.body?.cancel();
        return undefined;
      }
      return { entries: indexEntries(await response.text()), deep: false };
    },
    async stat(path: string, signal?: AbortSignal): Promise<ResourceEntry | undefined> {
      if (path === '') return { name: '', type: 'directory', size: 0 };
      const response = await request(urlOf(path, false), { method: 'HEAD', ...(signal ? { signal } : {}) });
      if (response.ok) {
        const length = Number(response.headers.get('content-length') ?? NaN);
        return entryFromHeaders(nameOf(path), response.headers, Number.isSafeInteger(length) ? length : undefined);
      }
      // A folder without its trailing '/' is redirected to it (or, on some servers, only found with it).
      const folder = isRedirect(response) || (await request(urlOf(path, true), { method: 'HEAD', ...(signal ? { signal } : {}) })).ok;
      return folder ? { name: nameOf(path), type: 'directory', size: 0 } : undefined;
    },
    async read(path: string, range?: ByteRange, signal?: AbortSignal): Promise<ReadResult | undefined> {
      const start = range?.start ?? 0;
      const ranged = range !== undefined && (start > 0 || range.end !== undefined);
      const rangeHeader: Record<string, string> = ranged ? { range: `bytes=${start}-${range.end === undefined ? '' : range.end - 1}` } : {};
      const response = await request(urlOf(path, false), { method: 'GET', headers: rangeHeader, ...(signal ? { signal } : {}) });
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
    },
  };
}
