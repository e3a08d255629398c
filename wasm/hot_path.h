// The RAM hot path of the WebAssembly build: plain exported C functions that take and return integers, so a
// getSync hit costs one wasm call and one copy out, without Embind's string and val conversions.
//
// JavaScript encodes the key (UTF-8) into a scratch region of wasm memory (strata_key_scratch) and passes the
// cache (the address of its HotHandle, WasmCache::chain) and the key's length; a value to store is first staged in
// wasm memory (strata_stage). Errors are negative results whose Status strata_last_error (Embind) returns.
#pragma once

#include <string>
#include <string_view>

#include "stratacache/status.h"
#include "stratacache/tier_chain.h"

namespace stratacache::wasm {

// What the hot-path functions take as `cache` (its address, WasmCache::chain): a chain, and the namespace of the
// keys read and written through it (empty: the default one).
struct HotHandle {
  TierChain* chain = nullptr;
  std::string ns;
};

// kInvalidArg for an empty key or one over kMaxKeyBytes, else OK.
Status CheckKey(std::string_view key);

// The failure behind the last negative result of a hot-path function.
const Status& LastHotPathError();

}  // namespace stratacache::wasm
