// `await using` needs Symbol.asyncDispose, which older browsers and some sandboxes (vm contexts) lack; this is
// the polyfill TypeScript documents for it. Imported first by every module whose classes define the method, since
// a class takes its computed method names when its module runs.
(Symbol as { asyncDispose?: symbol }).asyncDispose ??= Symbol.for('Symbol.asyncDispose');

// The same for the types, in the declarations this module ships with: what the classes' [Symbol.asyncDispose]
// needs, so that they compile without lib ESNext.Disposable or @types/node. Identical to the lib's declarations,
// with which they merge where an app has them (as it must to write `await using`).
declare global {
  interface SymbolConstructor {
    readonly asyncDispose: unique symbol;
  }
  interface AsyncDisposable {
    [Symbol.asyncDispose](): PromiseLike<void>;
  }
}

export {};
