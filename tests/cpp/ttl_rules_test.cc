#include "stratacache/ttl_rules.h"

#include <gtest/gtest.h>

#include <memory>

#include "manual_clock.h"
#include "stratacache/cache_config.h"

namespace stratacache {
namespace {

const std::vector<std::string> kTiers = {"ram", "disk"};

TtlRule Rule(Tags tags, Ttl all_tiers, std::map<std::string, Ttl> by_tier = {}) {
  return TtlRule{std::move(tags), all_tiers, std::move(by_tier)};
}

// ram defaults to 10s, disk to nothing; the cache to 100s.
TtlResolver Resolver(const std::vector<TtlRule>& rules) {
  return TtlResolver(kTiers, {Ttl::Millis(10'000), Ttl::Unset()}, Ttl::Millis(100'000), rules);
}

int64_t Resolved(const TtlResolver& resolver, size_t tier, WriteOptions write) {
  return resolver.Resolve(tier, write).ExpiresAt(0);
}

TEST(TtlRulesTest, ResolvesPerCallThenRuleThenTierThenCache) {
  const TtlResolver resolver = Resolver({Rule({{"type", "thumbnail"}}, Ttl::Unset(),
                                              {{"ram", Ttl::Millis(3'600'000)}, {"disk", Ttl::Millis(21'600'000)}})});
  const Tags thumbnail = {{"type", "thumbnail"}};
  EXPECT_EQ(Resolved(resolver, 0, {Ttl::Millis(5), thumbnail}), 5) << "the call's own TTL wins over a rule";
  EXPECT_EQ(Resolved(resolver, 1, {Ttl::Never(), thumbnail}), kNeverExpires) << "null in the call means never";
  EXPECT_EQ(Resolved(resolver, 0, {Ttl::Unset(), thumbnail}), 3'600'000) << "the rule wins over the tier default";
  EXPECT_EQ(Resolved(resolver, 1, {Ttl::Unset(), thumbnail}), 21'600'000);
  EXPECT_EQ(Resolved(resolver, 0, {Ttl::Unset(), {}}), 10'000) << "no tags: the tier's default";
  EXPECT_EQ(Resolved(resolver, 1, {Ttl::Unset(), {}}), 100'000) << "no tier default: the cache's";
  EXPECT_EQ(Resolved(resolver, 0, {Ttl::Unset(), {{"type", "avatar"}}}), 10'000) << "another value does not match";
}

TEST(TtlRulesTest, ARuleMatchesWhenAllItsTagsAreAmongTheWrites) {
  const TtlResolver resolver = Resolver({Rule({{"type", "thumbnail"}, {"size", "small"}}, Ttl::Millis(7))});
  EXPECT_EQ(Resolved(resolver, 0, {Ttl::Unset(), {{"type", "thumbnail"}, {"size", "small"}, {"x", "y"}}}), 7);
  EXPECT_EQ(Resolved(resolver, 0, {Ttl::Unset(), {{"type", "thumbnail"}}}), 10'000) << "one of the rule's tags missing";
}

TEST(TtlRulesTest, TheFirstMatchingRuleDecidesAndAPlainDurationCoversEveryTier) {
  const TtlResolver resolver = Resolver({
      Rule({{"type", "a"}}, Ttl::Never()),
      Rule({{"type", "a"}}, Ttl::Millis(1)),
      Rule({{"tenant", "t"}}, Ttl::Unset(), {{"disk", Ttl::Millis(42)}}),
  });
  EXPECT_EQ(Resolved(resolver, 0, {Ttl::Unset(), {{"type", "a"}}}), kNeverExpires);
  EXPECT_EQ(Resolved(resolver, 1, {Ttl::Unset(), {{"type", "a"}}}), kNeverExpires);
  // The first match names no TTL for ram: ram falls through to its default, not to a later rule.
  EXPECT_EQ(Resolved(resolver, 0, {Ttl::Unset(), {{"tenant", "t"}, {"type", "b"}}}), 10'000);
  EXPECT_EQ(Resolved(resolver, 1, {Ttl::Unset(), {{"tenant", "t"}}}), 42);
}

TEST(TtlRulesTest, RulesNamingAnUnknownTierOrNoTagsAreRefused) {
  EXPECT_TRUE(CheckTtlRules({Rule({{"a", "b"}}, Ttl::Unset(), {{"disk", Ttl::Millis(1)}})}, kTiers).ok());
  const Status unknown = CheckTtlRules({Rule({{"a", "b"}}, Ttl::Unset(), {{"s3", Ttl::Millis(1)}})}, kTiers);
  EXPECT_EQ(unknown.code(), StatusCode::kInvalidArg);
  EXPECT_NE(unknown.message().find("'s3'"), std::string::npos) << unknown.message();
  EXPECT_EQ(CheckTtlRules({Rule({}, Ttl::Millis(1))}, kTiers).code(), StatusCode::kInvalidArg);
}

TEST(TtlRulesTest, TheChainStoresEachTierWithItsResolvedTtl) {
  auto clock = std::make_shared<testing::ManualClock>();
  CacheConfig config;
  config.tiers = {TierConfig{"ram", "hot", 1 << 20, Ttl::Unset(), {}},
                  TierConfig{"ram", "warm", 1 << 20, Ttl::Unset(), {}}};
  config.ttl_rules = {
      Rule({{"type", "thumbnail"}}, Ttl::Unset(), {{"hot", Ttl::Millis(1'000)}, {"warm", Ttl::Millis(5'000)}})};
  std::shared_ptr<TierChain> chain;
  ASSERT_TRUE(BuildTierChain(config, clock, nullptr, &chain).ok());
  ASSERT_TRUE(chain->SetNow(Key("k"), Bytes::Copy("v"), {Ttl::Unset(), {{"type", "thumbnail"}}}).ok());
  clock->Advance(2'000);
  std::optional<Hit> hit = chain->GetNow(Key("k"));  // hot expired; warm still has it, promoted with 3s left
  ASSERT_TRUE(hit);
  EXPECT_EQ(hit->expires_at_ms, clock->NowMs() + 3'000);
  EXPECT_EQ(chain->Stats().tiers[1].hits, 1u);

  config.ttl_rules = {Rule({{"type", "thumbnail"}}, Ttl::Unset(), {{"disk", Ttl::Millis(1)}})};
  std::shared_ptr<TierChain> refused;
  EXPECT_EQ(BuildTierChain(config, clock, nullptr, &refused).code(), StatusCode::kInvalidArg);
  EXPECT_FALSE(refused);
}

}  // namespace
}  // namespace stratacache
