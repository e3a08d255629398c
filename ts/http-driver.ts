// The JavaScript half of the http() tier in the WebAssembly build: it makes the requests of the C++ store
// (wasm/fetch_http_store.cc) with fetch, and answers each by calling the module's driverComplete with its id:
// { status, body } for a response (body only for a 2xx GET), or a { name, message } error when none came.
import { type CompleteRequest, type DriverError, toDriverError } from './driver-channel.js';
import type { TierConfig } from './tiers.js';

const HEADER_SETTING = 'headers.';
/** What a response earns beyond the timeout for each whole MiB it announces (as the Node build's curl loop). */
export const DEADLINE_MS_PER_MIB = 1000;

/** `ms` as setTimeout takes it: past 2^31 - 1 it would fire at once. */
export function timerDelay(ms: number): number {
  return Math.min(Math.max(ms, 0), 2 ** 31 - 1);
}

/** The time `response` earns beyond the timeout by the body it announces. */
export function bodyAllowanceMs(response: Response): number {
  const length = Number(response.headers.get('content-length'));
  return Number.isSafeInteger(length) && length > 0 ? Math.floor(length / 2 ** 20) * DEADLINE_MS_PER_MIB : 0;
}

export class HttpDriver {
  readonly #headers: Record<string, string>;
  readonly #timeoutMs: number;
  readonly #complete: CompleteRequest;
  readonly #inFlight = new Set<AbortController>();
  #channel = 0;
  #closed = false;

  constructor(headers: Record<string, string>, timeoutMs: number, complete: CompleteRequest) {
    this.#headers = headers;
    this.#timeoutMs = timeoutMs;
    this.#complete = complete;
  }

  // The C++ store's requests (wasm/fetch_http_store.cc, through wasm/driver_channel.h).
  attach(channel: number): void {
    this.#channel = channel;
  }
  request(request: number, method: 'GET' | 'HEAD', url: string): void {
    void this.#fetch(request, method, url);
  }
  /** Ends every request in flight with a ClosedError; later ones go out as usual. */
  cancelAll(): void {
    for (const controller of this.#inFlight) controller.abort(new DOMException('the cache closed', 'ClosedError'));
  }
  close(): void {
    this.#closed = true;
    for (const controller of this.#inFlight) controller.abort();
    this.#inFlight.clear();
  }

  async #fetch(request: number, method: 'GET' | 'HEAD', url: string): Promise<void> {
    const controller = new AbortController();
    this.#inFlight.add(controller);
    const abortAfter = (ms: number) =>
      setTimeout(() => controller.abort(new DOMException(`no answer within the timeout (${this.#timeoutMs} ms)`, 'TimeoutError')), timerDelay(ms));
    const started = Date.now();
    let timer = abortAfter(this.#timeoutMs);
    let error: DriverError | null = null;
    let result: { status: number; body?: Uint8Array } | undefined;
    try {
      const response = await fetch(url, { method, headers: this.#headers, signal: controller.signal });
      if (method === 'GET' && response.ok) {
        clearTimeout(timer);
        timer = abortAfter(started + this.#timeoutMs + bodyAllowanceMs(response) - Date.now());
        result = { status: response.status, body: new Uint8Array(await response.arrayBuffer()) };
      } else {
        await response.body?.cancel();
        result = { status: response.status };
      }
    } catch (cause) {
      error = toDriverError(controller.signal.aborted ? (controller.signal.reason ?? cause) : cause);
    } finally {
      clearTimeout(timer);
      this.#inFlight.delete(controller);
    }
    if (!this.#closed) this.#complete(this.#channel, request, error, result);
  }
}

/** A driver for each http() tier of a cache, by tier name (wasm/bindings.cc looks them up there). */
export function openHttpDrivers(tiers: readonly TierConfig[], complete: CompleteRequest): Record<string, HttpDriver> {
  const drivers: Record<string, HttpDriver> = {};
  for (const tier of tiers) {
    if (tier.kind !== 'http') continue;
    const settings = tier.settings ?? {};
    const headers = Object.fromEntries(
      Object.entries(settings)
        .filter(([name]) => name.startsWith(HEADER_SETTING))
        .map(([name, value]) => [name.slice(HEADER_SETTING.length), value]),
    );
    drivers[tier.name] = new HttpDriver(headers, Number(settings['timeoutMs']), complete);
  }
  return drivers;
}
