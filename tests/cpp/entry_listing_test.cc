#include "stratacache/entry_listing.h"

#include <gtest/gtest.h>

#include "listing_walk.h"
#include "manual_clock.h"
#include "stratacache/ram_store.h"
#include "stratacache/tier_chain.h"

namespace stratacache {
namespace {

using testing::ManualClock;

TEST(DigestFromHex, ReadsWhatToHexWrites) {
  const Digest digest = Key("ns", "some key").digest();
  ASSERT_TRUE(DigestFromHex(digest.ToHex()).has_value());
  EXPECT_EQ(*DigestFromHex(digest.ToHex()), digest);
  EXPECT_FALSE(DigestFromHex("").has_value());
  EXPECT_FALSE(DigestFromHex(std::string(31, '0')).has_value());
  EXPECT_FALSE(DigestFromHex(std::string(32, 'g')).has_value());
  EXPECT_FALSE(DigestFromHex(std::string(32, 'A')).has_value());
}

class RamListingTest : public ::testing::TestWithParam<unsigned> {
 protected:
  std::shared_ptr<ManualClock> clock_ = std::make_shared<ManualClock>();
  // 64 MiB: enough budget for the requested shard count.
  RamStore store_{RamStoreOptions{64ull << 20, GetParam(), RamPolicy::kLru}, clock_};
};

TEST_P(RamListingTest, ListsLiveEntriesWithTheirFields) { testing::ChecksListedFields(store_, clock_->NowMs()); }

TEST_P(RamListingTest, ListsEntriesPresentThroughoutExactlyOnceUnderChurn) {
  for (unsigned seed = 1; seed <= 5; ++seed) {
    store_.EraseAll();
    testing::ListsStableEntriesOnceUnderChurn(store_, [] {}, seed);
  }
}

TEST_P(RamListingTest, SkipsEntriesThatExpireDuringTheWalk) {
  for (int i = 0; i < 30; ++i) {
    ASSERT_TRUE(store_.Insert(Key("k" + std::to_string(i)), Bytes::Copy("v"), i < 15 ? clock_->NowMs() + 10 : kNeverExpires).ok());
  }
  const auto listed = testing::Walk(store_, ListRequest{std::nullopt, 4, std::nullopt, ""}, [&](int) { clock_->Advance(10); });
  // What the first page held may have been live then; after it, every short-lived entry has expired.
  EXPECT_LE(listed.size(), 15u + 4u);
  EXPECT_GE(listed.size(), 15u);
}

INSTANTIATE_TEST_SUITE_P(Shards, RamListingTest, ::testing::Values(1u, 4u, 16u));

TEST(TierChainListing, ListsTheNamedTierAndRefusesUnknownOnes) {
  auto clock = std::make_shared<ManualClock>();
  std::vector<TierSpec> tiers;
  tiers.push_back(TierSpec{"ram", std::make_unique<RamStore>(RamStoreOptions{1 << 20, 1}, clock), Ttl::Unset()});
  auto chain = TierChain::Create(std::move(tiers), Ttl::Unset(), clock);
  chain->SetNow(Key("k"), Bytes::Copy("value"), WriteOptions{});
  Status status;
  std::vector<ListedEntry> page;
  chain->ListEntries("ram", ListRequest{}, [&](Status s, std::vector<ListedEntry> p) { status = s, page = std::move(p); });
  ASSERT_TRUE(status.ok());
  ASSERT_EQ(page.size(), 1u);
  EXPECT_EQ(page[0].key, "k");
  chain->ListEntries("disk", ListRequest{}, [&](Status s, std::vector<ListedEntry>) { status = s; });
  EXPECT_EQ(status.code(), StatusCode::kInvalidArg);
}

TEST(StoreListing, StoresThatCannotListSaySo) {
  class Unlisted final : public Store {
   public:
    void Get(const Key&, GetDone done) override { done(Status::Ok(), std::nullopt); }
    void Has(const Key&, FoundDone done) override { done(Status::Ok(), false); }
    void Put(const Key&, Bytes, int64_t, Done done) override { done(Status::Ok()); }
    void Delete(const Key&, FoundDone done) override { done(Status::Ok(), false); }
    void Clear(Done done) override { done(Status::Ok()); }
    void Sweep() override {}
    StoreCounters Counters() const override { return {}; }
  } store;
  Status status;
  store.ListEntries(ListRequest{}, [&](Status s, std::vector<ListedEntry>) { status = s; });
  EXPECT_EQ(status.code(), StatusCode::kUnsupported);
  EXPECT_STREQ(StatusCodeName(status.code()), "ERR_UNSUPPORTED");
}

}  // namespace
}  // namespace stratacache
