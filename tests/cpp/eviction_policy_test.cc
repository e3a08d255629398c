#include "stratacache/eviction_policy.h"

#include <gtest/gtest.h>

namespace stratacache {
namespace {

TEST(EvictionPolicy, LruScoresByLastAccessOnly) {
  EXPECT_EQ(EvictionScore(EvictionPolicy::kLru, 1000, 50, 1 << 20), 1000);
  EXPECT_LT(EvictionScore(EvictionPolicy::kLru, 999, 0, 1), EvictionScore(EvictionPolicy::kLru, 1000, 0, 1));
}

TEST(EvictionPolicy, LfuBuysAnHourPerHit) {
  EXPECT_EQ(EvictionScore(EvictionPolicy::kLfu, 0, 3, 10), 3 * kLfuHitWeightMs);
  // A value used twice an hour ago outlives one used once just now.
  EXPECT_GT(EvictionScore(EvictionPolicy::kLfu, 0, 2, 10), EvictionScore(EvictionPolicy::kLfu, 3'000'000, 1, 10));
  EXPECT_EQ(EvictionScore(EvictionPolicy::kLfu, 0, 1'000'000'000, 10),
            static_cast<int64_t>(kLfuMaxHits) * kLfuHitWeightMs);  // capped
}

TEST(EvictionPolicy, SizedLruAgesLargeValuesFaster) {
  EXPECT_EQ(EvictionScore(EvictionPolicy::kSizedLru, 600'000, 0, 1024), 600'000 - 11 * kSizedLruStepMs);
  EXPECT_LT(EvictionScore(EvictionPolicy::kSizedLru, 0, 0, 1 << 20), EvictionScore(EvictionPolicy::kSizedLru, 0, 0, 1));
}

TEST(EvictionPolicy, ParsesTheJavaScriptNames) {
  EXPECT_EQ(ParseEvictionPolicy("lru"), EvictionPolicy::kLru);
  EXPECT_EQ(ParseEvictionPolicy("lfu"), EvictionPolicy::kLfu);
  EXPECT_EQ(ParseEvictionPolicy("sized-lru"), EvictionPolicy::kSizedLru);
  EXPECT_EQ(ParseEvictionPolicy("LRU"), std::nullopt);
}

}  // namespace
}  // namespace stratacache
