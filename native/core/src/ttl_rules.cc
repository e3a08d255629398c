#include "stratacache/ttl_rules.h"

#include <algorithm>

namespace stratacache {

namespace {

// Whether every tag of the rule is among the write's tags with the same value.
bool Matches(const Tags& rule_tags, const Tags& write_tags) {
  return std::all_of(rule_tags.begin(), rule_tags.end(), [&](const auto& tag) {
    auto found = write_tags.find(tag.first);
    return found != write_tags.end() && found->second == tag.second;
  });
}

}  // namespace

Status CheckTtlRules(const std::vector<TtlRule>& rules, const std::vector<std::string>& tier_names) {
  for (size_t i = 0; i < rules.size(); ++i) {
    const std::string which = "ttlRules[" + std::to_string(i) + "]";
    if (rules[i].tags.empty()) return Status(StatusCode::kInvalidArg, which + " needs at least one tag");
    for (const auto& [tier, ttl] : rules[i].by_tier) {
      if (std::find(tier_names.begin(), tier_names.end(), tier) == tier_names.end()) {
        return Status(StatusCode::kInvalidArg, which + " names tier '" + tier + "', which this cache does not have");
      }
    }
  }
  return Status::Ok();
}

TtlResolver::TtlResolver(const std::vector<std::string>& tier_names, std::vector<Ttl> tier_defaults, Ttl cache_default,
                         const std::vector<TtlRule>& rules)
    : tier_defaults_(std::move(tier_defaults)), cache_default_(cache_default) {
  for (const TtlRule& rule : rules) {
    Rule resolved{rule.tags, {}};
    for (const std::string& name : tier_names) {
      auto named = rule.by_tier.find(name);
      resolved.by_tier.push_back(named != rule.by_tier.end() ? named->second : rule.all_tiers);
    }
    rules_.push_back(std::move(resolved));
  }
}

Ttl TtlResolver::Resolve(size_t tier, const WriteOptions& write) const {
  if (write.ttl.is_set()) return write.ttl;
  Ttl fallback = tier_defaults_[tier].Or(cache_default_);
  if (write.tags.empty()) return fallback;  // the hot path: no rule can match
  for (const Rule& rule : rules_) {
    if (Matches(rule.tags, write.tags)) return rule.by_tier[tier].Or(fallback);
  }
  return fallback;
}

}  // namespace stratacache
