// A cache's shape, as both bindings receive it from TypeScript (which has already validated and normalised the
// user's options), and the one function that turns it into a tier chain.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "stratacache/clock.h"
#include "stratacache/status.h"
#include "stratacache/store.h"
#include "stratacache/tier_chain.h"
#include "stratacache/ttl.h"
#include "stratacache/ttl_rules.h"

namespace stratacache {

struct TierConfig {
  std::string kind;  // "ram", or a kind a platform adds ("disk", "s3", "indexeddb")
  std::string name;
  uint64_t limit_bytes = 0;
  Ttl ttl;
  // What a platform's tier needs besides the above (a path, a bucket, credentials), as TypeScript validated
  // and flattened it: nested options are joined with dots ("credentials.accessKeyId").
  std::map<std::string, std::string> settings;
};

struct CacheConfig {
  std::vector<TierConfig> tiers;
  Ttl ttl;                  // the cache-wide default
  std::vector<TtlRule> ttl_rules;
  bool write_back = false;   // writePolicy 'back' (see TierChain::EnableWriteBack); else write-through
  unsigned ram_shards = 16;  // one suits a single-threaded runtime
};

// Makes a store for a tier kind the core does not know; sets `*status` and returns nullptr when it cannot.
using PlatformStoreFactory = std::function<std::unique_ptr<Store>(const TierConfig& tier, Status* status)>;

Status BuildTierChain(const CacheConfig& config, std::shared_ptr<const Clock> clock,
                      const PlatformStoreFactory& platform_stores, std::shared_ptr<TierChain>* chain);

}  // namespace stratacache
