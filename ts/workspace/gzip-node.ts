// gzip for the Node build, through zlib's streams: they honour backpressure within a chunk, so however far a
// chunk inflates, only what the reader has asked for is produced.
import { pipeline, Readable, type Transform } from 'node:stream';
import { createGunzip, createGzip } from 'node:zlib';

import type { ByteTransform, GzipCodec } from './compression.js';

function throughZlib(make: () => Transform): ByteTransform {
  return (input) => {
    const transform = make();
    // A failure on either side destroys `transform` with it, so reading it rejects; the callback has no more to say.
    pipeline(Readable.from(input, { objectMode: false }), transform, () => undefined);
    return transform;
  };
}

export const nodeGzip: GzipCodec = { gzip: throughZlib(() => createGzip()), gunzip: throughZlib(() => createGunzip()) };
