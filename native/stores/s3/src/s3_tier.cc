// The s3 tier as a cache configuration describes it: TierConfig settings (flattened by TypeScript) to options.
#include <charconv>

#include "stratacache/s3/s3_store.h"

namespace stratacache::s3 {

namespace {

std::string Setting(const TierConfig& tier, const std::string& name) {
  auto found = tier.settings.find(name);
  return found == tier.settings.end() ? std::string() : found->second;
}

}  // namespace

std::unique_ptr<Store> MakeS3Store(const TierConfig& tier, Status* status) {
  S3StoreOptions options;
  options.bucket = Setting(tier, "bucket");
  options.prefix = Setting(tier, "prefix");
  options.limit_bytes = tier.limit_bytes;
  options.client.region = Setting(tier, "region");
  options.client.endpoint = Setting(tier, "endpoint");
  options.client.profile = Setting(tier, "profile");
  if (const std::string path_style = Setting(tier, "forcePathStyle"); !path_style.empty()) {
    options.client.force_path_style = path_style == "true";
  }
  Credentials credentials{Setting(tier, "credentials.accessKeyId"), Setting(tier, "credentials.secretAccessKey"),
                          Setting(tier, "credentials.sessionToken")};
  if (!credentials.access_key_id.empty()) options.client.credentials = std::move(credentials);
  if (const std::string cooldown = Setting(tier, "cooldownMs"); !cooldown.empty()) {
    std::from_chars(cooldown.data(), cooldown.data() + cooldown.size(), options.cooldown_ms);
  }
  return S3Store::Create(options, std::make_shared<SystemClock>(), status);
}

}  // namespace stratacache::s3
