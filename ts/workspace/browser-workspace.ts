// The browser build's workspace: gzip through CompressionStream, createReadStream as a web ReadableStream.
import type { GzipCodec } from './compression.js';
import { webGzip } from './gzip-web.js';
import { type StreamOptions, Workspace } from './workspace.js';

export class BrowserWorkspace extends Workspace {
  static override gzipCodec: GzipCodec | undefined = webGzip;

  /** The file as a ReadableStream of Uint8Array chunks (for `new Response(stream)`, pipes, ...). */
  createReadStream(path: string, options?: StreamOptions): ReadableStream<Uint8Array> {
    const chunks = this.stream(path, options);
    return new ReadableStream<Uint8Array>({
      async pull(controller) {
        const { value, done } = await chunks.next();
        if (done) controller.close();
        else controller.enqueue(value);
      },
      async cancel() {
        await chunks.return(undefined);
      },
    });
  }
}
