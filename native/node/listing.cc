#include "listing.h"

#include <optional>
#include <utility>
#include <vector>

#include "stratacache/clock.h"
#include "stratacache/disk/disk_index_view.h"
#include "values.h"

namespace stratacache::node {

std::optional<ListRequest> ReadListRequest(const Napi::CallbackInfo& info, size_t first) {
  ListRequest request;
  if (info[first].IsString()) {
    request.after = DigestFromHex(info[first].As<Napi::String>().Utf8Value());
    if (!request.after) {
      ThrowStatus(info.Env(), Status(StatusCode::kInvalidArg, "a listing cursor is 32 lowercase hex digits"));
      return std::nullopt;
    }
  }
  request.limit = static_cast<size_t>(info[first + 1].As<Napi::Number>().DoubleValue());
  if (info[first + 2].IsString()) request.ns = info[first + 2].As<Napi::String>().Utf8Value();
  request.prefix = info[first + 3].ToString().Utf8Value();
  return request;
}

Napi::Array PageToJs(Napi::Env env, const std::vector<ListedEntry>& page) {
  Napi::Array result = Napi::Array::New(env, page.size());
  for (size_t i = 0; i < page.size(); ++i) {
    const ListedEntry& entry = page[i];
    Napi::Object js = Napi::Object::New(env);
    js.Set("cursor", entry.digest.ToHex());
    js.Set("namespace", entry.ns);
    js.Set("key", entry.key);
    js.Set("size", static_cast<double>(entry.size));
    js.Set("expiresAt", ExpiryAsDouble(entry.expires_at_ms));
    if (entry.written_at_ms) js.Set("writtenAt", static_cast<double>(*entry.written_at_ms));
    if (entry.accessed_at_ms) js.Set("accessedAt", static_cast<double>(*entry.accessed_at_ms));
    result.Set(static_cast<uint32_t>(i), js);
  }
  return result;
}

namespace {

// listDiskIndex(folder, after, limit, ns, prefix) -> one page of the disk folder's live entries, read-only and
// synchronously (see disk_index_view.h)
Napi::Value ListDiskIndex(const Napi::CallbackInfo& info) {
  const std::string folder = info[0].ToString().Utf8Value();
  std::optional<ListRequest> request = ReadListRequest(info, 1);
  if (!request) return Napi::Value();
  std::vector<ListedEntry> page;
  if (Status status = disk::ListIndexPage(folder, *request, SystemClock().NowMs(), &page); !status.ok()) {
    ThrowStatus(info.Env(), status);
    return Napi::Value();
  }
  return PageToJs(info.Env(), page);
}

}  // namespace

void DefineListingFunctions(Napi::Env env, Napi::Object exports) {
  exports.Set("listDiskIndex", Napi::Function::New(env, ListDiskIndex, "listDiskIndex"));
}

}  // namespace stratacache::node
