// `await using` needs Symbol.asyncDispose, which older browsers and some sandboxes (vm contexts) lack; this is
// the polyfill TypeScript documents for it. Imported first by every module whose classes define the method, since
// a class takes its computed method names when its module runs.
(Symbol as { asyncDispose?: symbol }).asyncDispose ??= Symbol.for('Symbol.asyncDispose');

export {};
