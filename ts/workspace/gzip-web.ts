// gzip for the browser build, through CompressionStream and DecompressionStream.
import type { ByteTransform, GzipCodec } from './compression.js';

/**
 * Input handed to DecompressionStream at most this many bytes at a time: it inflates a whole chunk at once, and
 * deflate expands at most about 1032 to 1, so one step produces at most about 16 MiB.
 */
const INFLATE_STEP = 16 * 1024;

function pulledStream(input: AsyncIterable<Uint8Array>, step: number): ReadableStream<Uint8Array> {
  const iterator = input[Symbol.asyncIterator]();
  let rest: Uint8Array = new Uint8Array(0);
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        while (rest.length === 0) {
          const next = await iterator.next();
          if (next.done) {
            controller.close();
            return;
          }
          rest = next.value;
        }
        controller.enqueue(rest.subarray(0, step));
        rest = rest.subarray(step);
      },
      async cancel() {
        await iterator.return?.();
      },
    },
    { highWaterMark: 0 },
  );
}

function throughWeb(make: () => TransformStream<Uint8Array, Uint8Array>, step: number): ByteTransform {
  return async function* (input) {
    const reader = pulledStream(input, step).pipeThrough(make()).getReader();
    let done = false;
    try {
      while (!done) {
        const next = await reader.read();
        done = next.done;
        if (!next.done) yield next.value;
      }
    } finally {
      if (!done) await reader.cancel().catch(() => undefined);
    }
  };
}

export const webGzip: GzipCodec = {
  gzip: throughWeb(() => new CompressionStream('gzip') as TransformStream<Uint8Array, Uint8Array>, Infinity),
  gunzip: throughWeb(() => new DecompressionStream('gzip') as TransformStream<Uint8Array, Uint8Array>, INFLATE_STEP),
};
