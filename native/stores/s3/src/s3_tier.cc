// The s3 tier as a cache configuration describes it: TierConfig settings (flattened by TypeScript) to options.
// Workspace mounts pass the same settings for their client.
#include <charconv>

#include "stratacache/s3/s3_store.h"

namespace stratacache::s3 {

namespace {

std::string Setting(const S3SettingsMap& settings, const std::string& name) {
  auto found = settings.find(name);
  return found == settings.end() ? std::string() : found->second;
}

}  // namespace

S3ClientOptions ClientOptionsFrom(const S3SettingsMap& settings) {
  S3ClientOptions options;
  options.region = Setting(settings, "region");
  options.endpoint = Setting(settings, "endpoint");
  options.profile = Setting(settings, "profile");
  if (const std::string path_style = Setting(settings, "forcePathStyle"); !path_style.empty()) {
    options.force_path_style = path_style == "true";
  }
  if (const std::string timeout = Setting(settings, "timeoutMs"); !timeout.empty()) {
    std::from_chars(timeout.data(), timeout.data() + timeout.size(), options.timeout_ms);
  }
  Credentials credentials{Setting(settings, "credentials.accessKeyId"),
                          Setting(settings, "credentials.secretAccessKey"),
                          Setting(settings, "credentials.sessionToken")};
  if (!credentials.access_key_id.empty()) options.credentials = std::move(credentials);
  return options;
}

std::unique_ptr<Store> MakeS3Store(const TierConfig& tier, Status* status) {
  S3StoreOptions options;
  options.bucket = Setting(tier.settings, "bucket");
  options.prefix = Setting(tier.settings, "prefix");
  options.limit_bytes = tier.limit_bytes;
  options.client = ClientOptionsFrom(tier.settings);
  if (const std::string cooldown = Setting(tier.settings, "cooldownMs"); !cooldown.empty()) {
    std::from_chars(cooldown.data(), cooldown.data() + cooldown.size(), options.cooldown_ms);
  }
  return S3Store::Create(options, std::make_shared<SystemClock>(), status);
}

}  // namespace stratacache::s3
