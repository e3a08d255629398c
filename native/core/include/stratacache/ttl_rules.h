// Tag rules: TTLs chosen by what an entry is, per tier. `ttlRules: [{ tags: { type: 'thumbnail' },
// ttl: { ram: '1h', disk: '6h' } }]` gives an entry written with tags that include all of the rule's (equal
// values) the rule's TTL in each tier the rule names; a rule with a plain duration names every tier.
//
// A write's TTL in a tier resolves, highest first: the call's own TTL, then the first rule that matches the
// write's tags (when it names no TTL for that tier, the tier falls through to its default), then the tier's
// default, then the cache's default. An explicit "no expiry" (Ttl::Never) is a TTL like any other.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "stratacache/status.h"
#include "stratacache/ttl.h"

namespace stratacache {

using Tags = std::map<std::string, std::string>;

// How one write asks to be stored: its own TTL (unset: the rules and defaults decide), its tags, and how long
// each tier keeps it past the TTL that resolves there (getOrSet's staleTtl and staleIfError: the reader that
// knows the window tells fresh from stale by the entry's expiry).
struct WriteOptions {
  WriteOptions(Ttl ttl = Ttl::Unset(), Tags tags = {}, int64_t stale_ms = 0)  // NOLINT: {ttl}
      : ttl(ttl), tags(std::move(tags)), stale_ms(stale_ms) {}

  Ttl ttl;
  Tags tags;
  int64_t stale_ms;
};

struct TtlRule {
  Tags tags;                           // at least one
  Ttl all_tiers;                       // a plain duration: every tier
  std::map<std::string, Ttl> by_tier;  // by tier name; wins over all_tiers
};

// kInvalidArg when a rule has no tags or names a tier that is not in `tier_names`.
Status CheckTtlRules(const std::vector<TtlRule>& rules, const std::vector<std::string>& tier_names);

class TtlResolver {
 public:
  // `tier_names` and `tier_defaults` are parallel, in tier order; rules are assumed checked (CheckTtlRules).
  TtlResolver(const std::vector<std::string>& tier_names, std::vector<Ttl> tier_defaults, Ttl cache_default,
              const std::vector<TtlRule>& rules);

  // The TTL of `write` in tier number `tier`.
  Ttl Resolve(size_t tier, const WriteOptions& write) const;

 private:
  struct Rule {
    Tags tags;
    std::vector<Ttl> by_tier;  // in tier order
  };

  std::vector<Ttl> tier_defaults_;
  Ttl cache_default_;
  std::vector<Rule> rules_;
};

}  // namespace stratacache
