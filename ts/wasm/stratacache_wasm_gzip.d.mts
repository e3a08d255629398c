// Types for the WebAssembly module's bytes as a JavaScript module (built into dist/wasm/ by scripts/copy-wasm.mjs).
declare const gzippedWasmBase64: string;
export default gzippedWasmBase64;
