// The JavaScript face of the caches. Each open cache is a NativeCache held by JavaScript through an External;
// the operations are plain module functions taking that External first, which costs less per call than
// unwrapping an object (these calls are the cache's hot path).
#pragma once

#include <napi.h>

namespace stratacache::node {

// Adds the cache's functions (open, close, get, set, ..., and the directory entries' acquireDirectory,
// commitDirectory, abandonDirectory, releaseDirectory) to `exports`; the list is in DefineCacheFunctions.
void DefineCacheFunctions(Napi::Env env, Napi::Object exports);

}  // namespace stratacache::node
