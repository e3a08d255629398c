// Types for the Emscripten-generated loader (built into dist/wasm/ by scripts/build-wasm.sh).
declare function createStrataModule(options: { wasmBinary: ArrayBuffer | Uint8Array }): Promise<unknown>;
export default createStrataModule;
