// The JavaScript face of the caches. Each open cache is a NativeCache held by JavaScript through an External;
// the operations are plain module functions taking that External first, which costs less per call than
// unwrapping an object (these calls are the cache's hot path).
#pragma once

#include <napi.h>

namespace stratacache::node {

// Adds open, close, getSync, get, setSync, set, hasSync, has, deleteSync, delete, clear, stats, sweep, slab,
// listen and clean to `exports`.
void DefineCacheFunctions(Napi::Env env, Napi::Object exports);

}  // namespace stratacache::node
