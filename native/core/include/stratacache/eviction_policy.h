// Which entries a bounded tier evicts first. Every policy reduces an entry to one score, and the entry with the
// lowest score goes first, so a store only needs an index on the score (SQLite) or a heap, never the policy.
//
//   lru        score = last_access
//   lfu        score = last_access + min(hits, 10^6) × 1 h   (each use buys an hour; recent beats stale-but-hot)
//   sized-lru  score = last_access − bit_width(size) × 1 min (a value twice as large ages a minute sooner)
//
// Times are wall-clock milliseconds, so scores written by several processes and across restarts compare.
#pragma once

#include <algorithm>
#include <bit>
#include <cstdint>
#include <optional>
#include <string_view>

namespace stratacache {

enum class EvictionPolicy { kLru, kLfu, kSizedLru };

inline constexpr int64_t kLfuHitWeightMs = 3'600'000;
inline constexpr uint64_t kLfuMaxHits = 1'000'000;
inline constexpr int64_t kSizedLruStepMs = 60'000;

// The score of an entry last used at `last_access_ms`, used `hits` times, `size` bytes large.
inline int64_t EvictionScore(EvictionPolicy policy, int64_t last_access_ms, uint64_t hits, uint64_t size) {
  switch (policy) {
    case EvictionPolicy::kLfu:
      return last_access_ms + static_cast<int64_t>(std::min<uint64_t>(hits, kLfuMaxHits)) * kLfuHitWeightMs;
    case EvictionPolicy::kSizedLru:
      return last_access_ms - static_cast<int64_t>(std::bit_width(size)) * kSizedLruStepMs;
    case EvictionPolicy::kLru:
      break;
  }
  return last_access_ms;
}

// The policy named `name` ("lru", "lfu", "sized-lru"), as the JavaScript API spells it.
inline std::string_view EvictionPolicyName(EvictionPolicy policy) {
  switch (policy) {
    case EvictionPolicy::kLfu:
      return "lfu";
    case EvictionPolicy::kSizedLru:
      return "sized-lru";
    case EvictionPolicy::kLru:
      break;
  }
  return "lru";
}

inline std::optional<EvictionPolicy> ParseEvictionPolicy(std::string_view name) {
  if (name == "lru") return EvictionPolicy::kLru;
  if (name == "lfu") return EvictionPolicy::kLfu;
  if (name == "sized-lru") return EvictionPolicy::kSizedLru;
  return std::nullopt;
}

}  // namespace stratacache
