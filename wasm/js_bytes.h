// Bytes across the boundary between the core's memory and JavaScript, always as copies: views of wasm memory go
// stale when it grows, so none is handed out or kept.
#pragma once

#include <emscripten/val.h>

#include <cstddef>

#include "stratacache/bytes.h"

namespace stratacache::wasm {

// Copies a Uint8Array into the core's memory in one step.
inline Bytes BytesFromJs(const emscripten::val& array) {
  const size_t size = array["length"].as<size_t>();
  Bytes bytes = Bytes::Allocate(size);
  if (size > 0) emscripten::val(emscripten::typed_memory_view(size, bytes.mutable_data())).call<void>("set", array);
  return bytes;
}

// A JavaScript-owned Uint8Array copy of `bytes`.
inline emscripten::val BytesToJs(const Bytes& bytes) {
  return emscripten::val(emscripten::typed_memory_view(bytes.size(), bytes.data())).call<emscripten::val>("slice");
}

}  // namespace stratacache::wasm
