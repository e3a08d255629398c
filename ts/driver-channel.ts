// What the JavaScript drivers of the core's stores (IndexedDB, fetch, custom tiers) share: how they answer a
// store's request and how a failure is described to it (wasm/driver_channel.h, native/node/custom_tier.h).
// Free of DOM types, so that the Node build's declarations do not need them.

/** Answers a request of a store's channel (DriverChannel::Complete in the core's builds). */
export type CompleteRequest = (channel: number, request: number, error: DriverError | null, result: unknown) => void;

/** How failures reach the C++ store: the error's name decides the status code. */
export interface DriverError {
  name: string;
  message: string;
}

/** A thrown value as a store reads it: its name and message, whatever was thrown. */
export function toDriverError(error: unknown): DriverError {
  if (error instanceof Error || (typeof DOMException !== 'undefined' && error instanceof DOMException)) {
    return { name: error.name, message: error.message };
  }
  return { name: 'Error', message: String(error) };
}
