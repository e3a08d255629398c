#include "platform_stores.h"

#include "stratacache/curl/libcurl.h"
#include "stratacache/disk/disk_store.h"
#include "stratacache/http/curl_http_store.h"
#include "stratacache/s3/s3_store.h"

namespace stratacache::node {

namespace {

// Opens the folder at once, so that a path that cannot be used fails Cache.open (a few milliseconds).
std::unique_ptr<Store> MakeDiskStore(const TierConfig& tier, Status* status) {
  disk::DiskStoreOptions options;
  std::unique_ptr<disk::DiskStore> store;
  *status = disk::DiskStoreOptionsFrom(tier, &options);
  if (status->ok()) *status = disk::DiskStore::Open(options, std::make_shared<SystemClock>(), &store);
  return store;
}

}  // namespace

std::unique_ptr<Store> MakePlatformStore(const TierConfig& tier, Status* status) {
  if (tier.kind == "s3" || tier.kind == "http") {
    *status = curl::LoadLibcurl();
    if (!status->ok()) return nullptr;
  }
  if (tier.kind == "s3") return s3::MakeS3Store(tier, status);
  if (tier.kind == "disk") return MakeDiskStore(tier, status);
  if (tier.kind == "http") return http::MakeHttpStore(tier, status);
  *status = Status(StatusCode::kInvalidArg, "tier kind '" + tier.kind + "' is not available in the Node build");
  return nullptr;
}

}  // namespace stratacache::node
