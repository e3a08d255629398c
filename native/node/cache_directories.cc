// The cache functions of directory entries (cache.directory(), leaseDirectory): a disk tier's folders granted,
// filled, committed, abandoned and released (see directory_store.h).
#include "native_cache.h"

#include <optional>
#include <string>
#include <utility>

#include "addon_data.h"
#include "cache_handle.h"

namespace stratacache::node {

namespace {

// The directory entries of the call's chain (see directory_store.h), or nullptr after throwing: ERR_CLOSED, or
// ERR_INVALID_ARG for a cache without a disk tier.
DirectoryStore* DirectoriesOf(const Napi::CallbackInfo& info) {
  TierChain* chain = OpenChain(info);
  if (!chain) return nullptr;
  DirectoryStore* directories = chain->directories();
  if (!directories) {
    ThrowStatus(info.Env(), Status(StatusCode::kInvalidArg, "directory entries need a cache with a disk tier"));
  }
  return directories;
}

// Completion for operations that grant a folder: resolves to [path, fill].
GrantDone SettleGrant(std::shared_ptr<PendingPromise> pending) {
  return [pending](Status status, DirectoryGrant grant) {
    pending->Settle([status, grant = std::move(grant)](Napi::Env env, Napi::Promise::Deferred& deferred) {
      if (!status.ok()) return deferred.Reject(ToError(env, status).Value());
      Napi::Array result = Napi::Array::New(env, 2);
      result.Set(0u, Napi::String::New(env, grant.path));
      result.Set(1u, Napi::Boolean::New(env, grant.fill));
      deferred.Resolve(result);
    });
  };
}

// acquireDirectory(handle, key) -> a promise of [path, fill]: the entry's folder, held; or with fill, a temp
// folder this caller fills, then commits or abandons
Napi::Value AcquireDirectory(const Napi::CallbackInfo& info) {
  DirectoryStore* directories = DirectoriesOf(info);
  std::optional<Key> key = directories ? ReadKey(info[1]) : std::nullopt;
  if (!key) return Napi::Value();
  return Async(info.Env(), [&](auto pending) { directories->AcquireDirectory(*key, SettleGrant(pending)); });
}

// commitDirectory(handle, key, tempPath) -> a promise of [path, false]: the filled folder, now the key's entry, held
Napi::Value CommitDirectory(const Napi::CallbackInfo& info) {
  DirectoryStore* directories = DirectoriesOf(info);
  std::optional<Key> key = directories ? ReadKey(info[1]) : std::nullopt;
  if (!key) return Napi::Value();
  const std::string temp_path = info[2].ToString().Utf8Value();
  return Async(info.Env(), [&](auto pending) { directories->CommitDirectory(*key, temp_path, SettleGrant(pending)); });
}

// abandonDirectory(handle, key, tempPath, message) -> a promise: the fill's folder is gone and its waiters got
// `message` as ERR_LOADER
Napi::Value AbandonDirectory(const Napi::CallbackInfo& info) {
  DirectoryStore* directories = DirectoriesOf(info);
  std::optional<Key> key = directories ? ReadKey(info[1]) : std::nullopt;
  if (!key) return Napi::Value();
  const std::string temp_path = info[2].ToString().Utf8Value();
  Status reason(StatusCode::kLoader, info[3].ToString().Utf8Value());
  return Async(info.Env(), [&](auto pending) {
    directories->AbandonDirectory(*key, temp_path, std::move(reason), SettleDone(pending));
  });
}

// releaseDirectory(handle, path): ends one hold on a granted folder
Napi::Value ReleaseDirectory(const Napi::CallbackInfo& info) {
  if (DirectoryStore* directories = DirectoriesOf(info)) directories->ReleaseDirectory(info[1].ToString().Utf8Value());
  return Napi::Value();
}

}  // namespace

void DefineDirectoryFunctions(Napi::Env env, Napi::Object exports) {
  DefineFunctions(env, exports, {
      {"acquireDirectory", AcquireDirectory},
      {"commitDirectory", CommitDirectory},
      {"abandonDirectory", AbandonDirectory},
      {"releaseDirectory", ReleaseDirectory},
  });
}

}  // namespace stratacache::node
