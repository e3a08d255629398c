// The JavaScript face of the caches. Each open cache is a NativeCache (cache_handle.h) held by JavaScript through
// an External; the operations are plain module functions taking that External first, which costs less per call
// than unwrapping an object (these calls are the cache's hot path). They are grouped by concern: the whole cache
// (native_cache.cc), single entries (cache_entries.cc), single flight (cache_flights.cc) and directory entries
// (cache_directories.cc).
#pragma once

#include <napi.h>

namespace stratacache::node {

// Adds every cache function (open, close, get, set, ..., acquireDirectory, ...) to `exports`: those of
// native_cache.cc, then the four below.
void DefineCacheFunctions(Napi::Env env, Napi::Object exports);
void DefineEntryFunctions(Napi::Env env, Napi::Object exports);
void DefineOutsideReadFunctions(Napi::Env env, Napi::Object exports);
void DefineFlightFunctions(Napi::Env env, Napi::Object exports);
void DefineDirectoryFunctions(Napi::Env env, Napi::Object exports);

}  // namespace stratacache::node
