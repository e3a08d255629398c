// The "disk" tier's settings, as ts/tiers.ts validated and flattened them. They are checked again here because
// the core may be driven from elsewhere (tests), and a wrong setting must fail the open, not crash.
#include <string>

#include "stratacache/disk/disk_store.h"

namespace stratacache::disk {

namespace {

const std::string* Setting(const TierConfig& tier, const std::string& name) {
  auto it = tier.settings.find(name);
  return it == tier.settings.end() ? nullptr : &it->second;
}

Status Invalid(const std::string& message) { return Status(StatusCode::kInvalidArg, "disk(): " + message); }

}  // namespace

Status DiskStoreOptionsFrom(const TierConfig& tier, DiskStoreOptions* options) {
  const std::string* path = Setting(tier, "path");
  if (!path || path->empty()) return Invalid("path is required");
  options->path = *path;
  options->limit_bytes = tier.limit_bytes;
  if (const std::string* policy = Setting(tier, "policy")) {
    std::optional<EvictionPolicy> parsed = ParseEvictionPolicy(*policy);
    if (!parsed) return Invalid("policy must be 'lru', 'lfu' or 'sized-lru', not '" + *policy + "'");
    options->policy = *parsed;
  }
  if (const std::string* durability = Setting(tier, "durability")) {
    if (*durability != "relaxed" && *durability != "strict") {
      return Invalid("durability must be 'relaxed' or 'strict', not '" + *durability + "'");
    }
    options->strict = *durability == "strict";
  }
  if (const std::string* reads_here = Setting(tier, "inlineReads")) {
    if (*reads_here != "true" && *reads_here != "false") {
      return Invalid("inlineReads must be true or false, not '" + *reads_here + "'");
    }
    options->reads_here = *reads_here == "true";
  }
  return Status::Ok();
}

}  // namespace stratacache::disk
