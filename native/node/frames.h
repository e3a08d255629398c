// Module functions over the core's value formats, which need no cache: named-blob frames (named_blobs.h).
#pragma once

#include <napi.h>

namespace stratacache::node {

// Adds encodeBlobs and decodeBlobs to `exports`.
void DefineFrameFunctions(Napi::Env env, Napi::Object exports);

}  // namespace stratacache::node
