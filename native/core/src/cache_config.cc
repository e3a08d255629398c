#include "stratacache/cache_config.h"

#include <set>

#include "stratacache/ram_store.h"

namespace stratacache {

Status BuildTierChain(const CacheConfig& config, std::shared_ptr<const Clock> clock,
                      const PlatformStoreFactory& platform_stores, std::shared_ptr<TierChain>* chain) {
  if (config.tiers.empty()) return Status(StatusCode::kInvalidArg, "a cache needs at least one tier");
  std::vector<std::string> tier_names;
  for (const TierConfig& tier : config.tiers) tier_names.push_back(tier.name);
  // Before any store is made: a disk or S3 tier must not be touched by an open that fails.
  if (Status rules = CheckTtlRules(config.ttl_rules, tier_names); !rules.ok()) return rules;
  if (config.write_back && (config.tiers.size() < 2 || config.tiers[0].kind != "ram")) {
    return Status(StatusCode::kInvalidArg, "writePolicy 'back' needs a RAM tier first and a tier below it");
  }
  std::vector<TierSpec> specs;
  std::set<std::string> names;
  for (const TierConfig& tier : config.tiers) {
    if (!names.insert(tier.name).second) {
      return Status(StatusCode::kInvalidArg, "two tiers are named '" + tier.name + "'; give each a distinct name");
    }
    if (tier.limit_bytes == 0) return Status(StatusCode::kInvalidArg, "tier '" + tier.name + "' has no cacheLimit");
    std::unique_ptr<Store> store;
    if (tier.kind == "ram") {
      RamStoreOptions options{tier.limit_bytes, config.ram_shards};
      if (auto policy = tier.settings.find("policy"); policy != tier.settings.end()) {
        std::optional<RamPolicy> parsed = ParseRamPolicy(policy->second);
        if (!parsed) return Status(StatusCode::kInvalidArg, "tier '" + tier.name + "' has an unknown policy");
        options.policy = *parsed;
      }
      store = std::make_unique<RamStore>(options, clock);
    } else {
      Status status(StatusCode::kInvalidArg, "tier kind '" + tier.kind + "' is not available in this build");
      if (platform_stores) store = platform_stores(tier, &status);
      if (!store) return status;
    }
    // A read-only tier is a source below the cache: writes must have somewhere to go, and a hit below it could
    // not be promoted into it.
    if (store->read_only() && (specs.empty() || &tier != &config.tiers.back())) {
      return Status(StatusCode::kInvalidArg,
                    "tier '" + tier.name + "' is read-only: it must be the last tier, below one that takes writes");
    }
    specs.push_back(TierSpec{tier.name, std::move(store), tier.ttl});
  }
  *chain = TierChain::Create(std::move(specs), config.ttl, std::move(clock), config.ttl_rules);
  return config.write_back ? (*chain)->EnableWriteBack() : Status::Ok();
}

}  // namespace stratacache
