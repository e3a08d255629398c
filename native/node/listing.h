// Entry listings for JavaScript: the request and page conversions that cache.entries() (listEntries in
// native_cache.cc) uses, and a disk folder's read-only listing for the CLI.
#pragma once

#include <napi.h>

#include <optional>
#include <vector>

#include "stratacache/entry_listing.h"

namespace stratacache::node {

// The request in info[first..first+3]: after (a cursor string or undefined), limit, ns (a string, or undefined
// for every namespace), prefix; as TypeScript checked them. Throws ERR_INVALID_ARG for a malformed cursor.
std::optional<ListRequest> ReadListRequest(const Napi::CallbackInfo& info, size_t first);
// [{ cursor, namespace, key, size, expiresAt (Infinity: never), writtenAt?, accessedAt? }]
Napi::Array PageToJs(Napi::Env env, const std::vector<ListedEntry>& page);

// listDiskIndex(folder, after, limit, ns, prefix).
void DefineListingFunctions(Napi::Env env, Napi::Object exports);

}  // namespace stratacache::node
