#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "manual_clock.h"
#include "stratacache/event_hub.h"
#include "stratacache/ram_store.h"
#include "stratacache/tier_chain.h"

namespace stratacache {
namespace {

using testing::ManualClock;

constexpr EventKinds Kinds(EventKind kind) { return static_cast<EventKinds>(kind); }

// "kind tier key reason" for each event heard.
class Recorder {
 public:
  EventListener Listener() {
    return [this](const CacheEvent& event) {
      heard.push_back(std::string(EventKindName(event.kind)) + " " + event.tier + " " + event.key + " " + event.reason);
    };
  }
  std::vector<std::string> heard;
};

TEST(EventHubTest, SubscribersHearOnlyTheKindsTheyAskFor) {
  EventHub hub;
  Recorder errors;
  Recorder all;
  const uint64_t errors_id = hub.Subscribe(errors.Listener(), Kinds(EventKind::kError));
  EXPECT_FALSE(hub.wants(EventKind::kEvict));
  const uint64_t all_id = hub.Subscribe(all.Listener());
  EXPECT_TRUE(hub.wants(EventKind::kEvict));
  hub.Emit(CacheEvent{EventKind::kEvict, "ram", "k", "lru", Status::Ok()});
  hub.SetKinds(errors_id, Kinds(EventKind::kError) | Kinds(EventKind::kEvict));
  hub.Emit(CacheEvent{EventKind::kEvict, "ram", "j", "lru", Status::Ok()});
  EXPECT_EQ(errors.heard, std::vector<std::string>{"evict ram j lru"});
  EXPECT_EQ(all.heard.size(), 2u);
  hub.Unsubscribe(all_id);
  hub.SetKinds(errors_id, Kinds(EventKind::kError));
  EXPECT_FALSE(hub.wants(EventKind::kEvict));
  EXPECT_EQ(ParseEventKind("promote"), EventKind::kPromote);
  EXPECT_FALSE(ParseEventKind("warning"));
}

class RamEventsTest : public ::testing::Test {
 protected:
  // Room for about three entries of 1000 bytes.
  RamEventsTest() : store_(RamStoreOptions{3 * RamStore::ChargeFor(2, 1000, true) + 100, 1}, clock_) {
    store_.ReportRemovalsTo(&hub_, "hot");
  }

  std::shared_ptr<ManualClock> clock_ = std::make_shared<ManualClock>();
  EventHub hub_;
  RamStore store_;
  Recorder recorder_;
};

TEST_F(RamEventsTest, EvictionsAndExpirationsAreReportedWithTheirReason) {
  hub_.Subscribe(recorder_.Listener(), Kinds(EventKind::kEvict) | Kinds(EventKind::kExpire));
  const int64_t later = clock_->NowMs() + 1'000;
  ASSERT_TRUE(store_.Insert(Key("k0"), Bytes::Copy(std::string(1000, 'x')), later).ok());
  ASSERT_TRUE(store_.Insert(Key("k1"), Bytes::Copy(std::string(1000, 'x')), later).ok());
  ASSERT_TRUE(store_.Insert(Key("k2"), Bytes::Copy(std::string(1000, 'x')), later + 1'000).ok());
  ASSERT_TRUE(store_.Insert(Key("k3"), Bytes::Copy(std::string(1000, 'x')), later + 1'000).ok());
  EXPECT_EQ(recorder_.heard, std::vector<std::string>{"evict hot k0 lru"});
  clock_->Advance(1'500);
  EXPECT_FALSE(store_.Lookup(Key("k1")));
  clock_->Advance(1'000);
  ASSERT_TRUE(store_.Insert(Key("k4"), Bytes::Copy(std::string(1000, 'x')), kNeverExpires).ok());
  store_.Sweep();
  EXPECT_EQ(recorder_.heard, (std::vector<std::string>{"evict hot k0 lru", "expire hot k1 read", "expire hot k2 sweep",
                                                       "expire hot k3 sweep"}));
}

TEST_F(RamEventsTest, NothingIsReportedToSubscribersOfOtherKinds) {
  hub_.Subscribe(recorder_.Listener(), Kinds(EventKind::kError));
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(store_.Insert(Key("k" + std::to_string(i)), Bytes::Copy(std::string(1000, 'x')), kNeverExpires).ok());
  }
  EXPECT_TRUE(recorder_.heard.empty());
  EXPECT_GT(store_.Counters().evictions, 0u);
}

TEST_F(RamEventsTest, AListenerMayCallBackIntoTheStore) {
  // Events are emitted once the shard's lock is released; a listener reading the store must not deadlock.
  hub_.Subscribe([this](const CacheEvent& event) {
    recorder_.heard.push_back(store_.Contains(Key(event.key)) ? "present" : "gone");
  });
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(store_.Insert(Key("k" + std::to_string(i)), Bytes::Copy(std::string(1000, 'x')), kNeverExpires).ok());
  }
  EXPECT_EQ(recorder_.heard, std::vector<std::string>{"gone"});
}

TEST(ChainEventsTest, APromotionIsReportedForEachTierFilled) {
  auto clock = std::make_shared<ManualClock>();
  std::vector<TierSpec> tiers;
  for (const char* name : {"l1", "l2", "l3"}) {
    tiers.push_back(TierSpec{name, std::make_unique<RamStore>(RamStoreOptions{1 << 20, 1}, clock), Ttl::Unset()});
  }
  RamStore* l3 = static_cast<RamStore*>(tiers[2].store.get());
  auto chain = TierChain::Create(std::move(tiers), Ttl::Unset(), clock);
  Recorder recorder;
  chain->events().Subscribe(recorder.Listener(), Kinds(EventKind::kPromote));
  ASSERT_TRUE(l3->Insert(Key("k"), Bytes::Copy("v"), kNeverExpires).ok());
  ASSERT_TRUE(chain->GetNow(Key("k")));
  EXPECT_TRUE(chain->GetNow(Key("k")));  // now a hit in l1: nothing more to promote
  EXPECT_EQ(recorder.heard, (std::vector<std::string>{"promote l1 k l3", "promote l2 k l3"}));
  const ChainStats stats = chain->Stats();
  EXPECT_EQ(stats.tiers[0].promotions, 1u);
  EXPECT_EQ(stats.tiers[1].promotions, 1u);
  EXPECT_EQ(stats.tiers[2].promotions, 0u);
}

}  // namespace
}  // namespace stratacache
