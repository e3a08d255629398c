// Namespaces in the RAM tier: isolation, each namespace's own limit under every policy, the tier's budget over all
// of them, and both under threads.
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "manual_clock.h"
#include "stratacache/event_hub.h"
#include "stratacache/ram_store.h"
#include "stratacache/tier_chain.h"

namespace stratacache {
namespace {

using testing::ManualClock;

std::string Text(const std::optional<Hit>& hit) { return hit ? std::string(hit->value.view()) : "<miss>"; }

class RamNamespaceTest : public ::testing::TestWithParam<RamPolicy> {
 protected:
  std::unique_ptr<RamStore> MakeStore(uint64_t limit, unsigned shards = 1) {
    auto store = std::make_unique<RamStore>(RamStoreOptions{limit, shards, GetParam()}, clock_);
    store->ReportRemovalsTo(&hub_, "ram");
    return store;
  }
  // The charge of an entry "<n digits>" of `size` bytes in a namespace.
  uint64_t Charge(size_t key_bytes, size_t size) const {
    return RamStore::ChargeFor(key_bytes, size, false, GetParam(), /*namespaced=*/true);
  }
  // Records the keys evicted, as "namespace/key reason".
  void RecordEvictions() {
    hub_.Subscribe(
        [this](const CacheEvent& event) { evicted_.push_back(event.ns + "/" + event.key + " " + event.reason); },
        static_cast<EventKinds>(EventKind::kEvict));
  }

  std::shared_ptr<ManualClock> clock_ = std::make_shared<ManualClock>();
  EventHub hub_;
  std::vector<std::string> evicted_;
};

INSTANTIATE_TEST_SUITE_P(Policies, RamNamespaceTest,
                         ::testing::Values(RamPolicy::kLru, RamPolicy::kLfu, RamPolicy::kSizedLru, RamPolicy::kS3Fifo),
                         [](const auto& info) {
                           std::string name(RamPolicyName(info.param));
                           std::erase(name, '-');
                           return name;
                         });

TEST_P(RamNamespaceTest, KeysOfEachNamespaceLiveApart) {
  auto store = MakeStore(1 << 20);
  ASSERT_TRUE(store->Insert(Key("k"), Bytes::Copy("default"), kNeverExpires).ok());
  ASSERT_TRUE(store->Insert(Key("a", "k"), Bytes::Copy("in a"), kNeverExpires).ok());
  ASSERT_TRUE(store->Insert(Key("b", "k"), Bytes::Copy("in b"), kNeverExpires).ok());
  EXPECT_EQ(Text(store->Lookup(Key("k"))), "default");
  EXPECT_EQ(Text(store->Lookup(Key("a", "k"))), "in a");
  EXPECT_TRUE(store->Erase(Key("a", "k")));
  EXPECT_FALSE(store->Contains(Key("a", "k")));
  EXPECT_EQ(Text(store->Lookup(Key("b", "k"))), "in b");
  EXPECT_EQ(Text(store->Lookup(Key("k"))), "default");
}

TEST_P(RamNamespaceTest, ChargesANamespaceItsEntriesExactly) {
  auto store = MakeStore(1 << 20);
  ASSERT_TRUE(store->Insert(Key("a", "k1"), Bytes::Allocate(100), kNeverExpires).ok());
  ASSERT_TRUE(store->Insert(Key("a", "k2"), Bytes::Allocate(300), kNeverExpires).ok());
  ASSERT_TRUE(store->Insert(Key("a", "k2"), Bytes::Allocate(200), kNeverExpires).ok());  // rewritten smaller
  ASSERT_TRUE(store->Insert(Key("k1"), Bytes::Allocate(100), kNeverExpires).ok());
  EXPECT_EQ(store->NamespaceBytes("a"), Charge(2, 100) + Charge(2, 200));
  EXPECT_EQ(store->Counters().bytes, Charge(2, 100) + Charge(2, 200) + RamStore::ChargeFor(2, 100, false, GetParam()));
  // A namespace's entry costs more than a default one: its node in the namespace's order.
  EXPECT_GT(Charge(2, 100), RamStore::ChargeFor(2, 100, false, GetParam()));
  store->Erase(Key("a", "k1"));
  EXPECT_EQ(store->NamespaceBytes("a"), Charge(2, 200));
  store->EraseAll();
  EXPECT_EQ(store->NamespaceBytes("a"), 0u);
  EXPECT_EQ(store->Counters().bytes, 0u);
}

TEST_P(RamNamespaceTest, ANamespaceOverItsLimitEvictsOnlyItsOwnEntries) {
  RecordEvictions();
  const uint64_t ns_limit = 10 * Charge(4, 1000);
  auto store = MakeStore(4 << 20);
  ASSERT_TRUE(store->LimitNamespace("small", ns_limit).ok());
  for (int i = 0; i < 50; ++i) {
    ASSERT_TRUE(store->Insert(Key("other", "o" + std::to_string(100 + i)), Bytes::Allocate(1000), kNeverExpires).ok());
    ASSERT_TRUE(store->Insert(Key("o" + std::to_string(100 + i)), Bytes::Allocate(1000), kNeverExpires).ok());
  }
  // Ten times what the namespace may hold.
  for (int i = 0; i < 100; ++i) {
    ASSERT_TRUE(store->Insert(Key("small", "s" + std::to_string(100 + i)), Bytes::Allocate(1000), kNeverExpires).ok());
    ASSERT_LE(store->NamespaceBytes("small"), ns_limit);
  }
  EXPECT_GE(store->NamespaceBytes("small"), ns_limit - Charge(4, 1000)) << "no more is evicted than needed";
  for (int i = 0; i < 50; ++i) {
    EXPECT_TRUE(store->Contains(Key("other", "o" + std::to_string(100 + i))));
    EXPECT_TRUE(store->Contains(Key("o" + std::to_string(100 + i))));
  }
  ASSERT_EQ(evicted_.size(), 90u);
  for (const std::string& event : evicted_) {
    EXPECT_TRUE(event.starts_with("small/s") && event.ends_with(" namespace")) << event;
  }
  EXPECT_EQ(store->Counters().evictions, 90u);
}

TEST_P(RamNamespaceTest, ANamespaceKeepsWhatItsPolicyValues) {
  // Every policy keeps an entry used again and again over entries written once and never read.
  const uint64_t ns_limit = 4 * Charge(2, 1000);
  auto store = MakeStore(4 << 20);
  ASSERT_TRUE(store->LimitNamespace("n", ns_limit).ok());
  ASSERT_TRUE(store->Insert(Key("n", "hot"), Bytes::Allocate(1000), kNeverExpires).ok());
  for (int i = 0; i < 40; ++i) {
    clock_->Advance(1000);
    ASSERT_TRUE(store->Lookup(Key("n", "hot")));
    ASSERT_TRUE(store->Insert(Key("n", "c" + std::to_string(i % 10)), Bytes::Allocate(1000), kNeverExpires).ok());
  }
  EXPECT_TRUE(store->Contains(Key("n", "hot")));
  EXPECT_LE(store->NamespaceBytes("n"), ns_limit);
}

TEST_P(RamNamespaceTest, TheTierBudgetStillHoldsOverEveryNamespaceUnderTenfoldOverfill) {
  const uint64_t limit = 1 << 20;
  auto store = MakeStore(limit, 4);
  ASSERT_TRUE(store->LimitNamespace("a", limit / 4).ok());
  ASSERT_TRUE(store->LimitNamespace("b", 2 * limit).ok());  // above the tier's: the tier's bounds it
  std::mt19937 rng(7);
  uint64_t written = 0;
  for (int i = 0; written < 10 * limit; ++i) {
    const size_t n = rng() % (8 << 10);
    const std::string ns = i % 3 == 0 ? "a" : i % 3 == 1 ? "b" : "";
    ASSERT_TRUE(store->Insert(Key(ns, "k" + std::to_string(i)), Bytes::Allocate(n), kNeverExpires).ok());
    written += n;
    ASSERT_LE(store->Counters().bytes, limit);
    ASSERT_LE(store->NamespaceBytes("a"), limit / 4);
  }
  EXPECT_GT(store->NamespaceBytes("a"), limit / 8);
  EXPECT_GT(store->NamespaceBytes("b"), 0u);
}

TEST_P(RamNamespaceTest, LoweringALimitEvictsAtOnceAndLiftingItStopsEvicting) {
  RecordEvictions();
  auto store = MakeStore(64ull << 20, 16);  // the namespace's entries spread over the shards
  ASSERT_EQ(store->shard_count(), 16u);
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(store->Insert(Key("n", "k" + std::to_string(10 + i)), Bytes::Allocate(1000), kNeverExpires).ok());
  }
  EXPECT_EQ(store->NamespaceBytes("n"), 20 * Charge(3, 1000));
  ASSERT_TRUE(store->LimitNamespace("n", 5 * Charge(3, 1000)).ok());
  EXPECT_EQ(store->NamespaceBytes("n"), 5 * Charge(3, 1000));
  EXPECT_EQ(evicted_.size(), 15u);
  ASSERT_TRUE(store->LimitNamespace("n", std::nullopt).ok());
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(store->Insert(Key("n", "j" + std::to_string(10 + i)), Bytes::Allocate(1000), kNeverExpires).ok());
  }
  EXPECT_EQ(store->NamespaceBytes("n"), 25 * Charge(3, 1000));
  EXPECT_EQ(evicted_.size(), 15u);
}

TEST_P(RamNamespaceTest, RefusesAValueLargerThanItsNamespaceMayHold) {
  auto store = MakeStore(1 << 20);
  ASSERT_TRUE(store->LimitNamespace("n", 4096).ok());
  ASSERT_TRUE(store->Insert(Key("n", "k"), Bytes::Copy("old"), kNeverExpires).ok());
  const Status status = store->Insert(Key("n", "k"), Bytes::Allocate(8192), kNeverExpires);
  EXPECT_EQ(status.code(), StatusCode::kTooLarge);
  EXPECT_NE(status.message().find("namespace 'n'"), std::string::npos) << status.message();
  EXPECT_FALSE(store->Contains(Key("n", "k")));
  EXPECT_TRUE(store->Insert(Key("k"), Bytes::Allocate(8192), kNeverExpires).ok())
      << "the default namespace is not bound";
}

TEST_P(RamNamespaceTest, RefusesAnEmptyOrOverlongNamespaceLimit) {
  auto store = MakeStore(1 << 20);
  EXPECT_EQ(store->LimitNamespace("", 100).code(), StatusCode::kInvalidArg);
  EXPECT_EQ(store->LimitNamespace(std::string(257, 'n'), 100).code(), StatusCode::kInvalidArg);
  EXPECT_TRUE(store->LimitNamespace(std::string(256, 'n'), 100).ok());
}

TEST_P(RamNamespaceTest, ThreadsKeepEachNamespaceWithinItsLimitAndApart) {
  const uint64_t limit = 64ull << 20;
  auto store = MakeStore(limit, 16);
  ASSERT_EQ(store->shard_count(), 16u);
  const uint64_t ns_limit = 256 << 10;
  ASSERT_TRUE(store->LimitNamespace("t0", ns_limit).ok());
  ASSERT_TRUE(store->LimitNamespace("t1", ns_limit).ok());
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937 rng(t);
      for (int i = 0; i < 10000; ++i) {
        const std::string ns = "t" + std::to_string(rng() % 3);  // t2 is not bounded
        const std::string key = "k" + std::to_string(rng() % 1000);
        switch (rng() % 3) {
          case 0:
            // Each value spells its namespace and key, so a reader can tell a value of another namespace.
            (void)store->Insert(Key(ns, key), Bytes::Copy(ns + "/" + key + "." + std::string(rng() % 1024, '.')),
                                kNeverExpires);
            break;
          case 1:
            if (auto hit = store->Lookup(Key(ns, key)); hit && !hit->value.view().starts_with(ns + "/" + key + ".")) {
              ++wrong;
            }
            break;
          default:
            store->Erase(Key(ns, key));
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_LE(store->NamespaceBytes("t0"), ns_limit);
  EXPECT_LE(store->NamespaceBytes("t1"), ns_limit);
  EXPECT_GT(store->NamespaceBytes("t2"), ns_limit) << "an unbounded namespace grows past the others' limits";
  // Every byte the store counts is some namespace's, but for s3-fifo's ghosts, which are the store's own.
  const uint64_t namespaces = store->NamespaceBytes("t0") + store->NamespaceBytes("t1") + store->NamespaceBytes("t2");
  if (GetParam() == RamPolicy::kS3Fifo) {
    EXPECT_LE(namespaces, store->Counters().bytes);
  } else {
    EXPECT_EQ(namespaces, store->Counters().bytes);
  }
}

// A chain of two RAM tiers of 1 MiB, "hot" over "warm".
std::shared_ptr<TierChain> HotAndWarm() {
  auto clock = std::make_shared<ManualClock>();
  std::vector<TierSpec> tiers;
  tiers.push_back(TierSpec{"hot", std::make_unique<RamStore>(RamStoreOptions{1 << 20, 1}, clock)});
  tiers.push_back(TierSpec{"warm", std::make_unique<RamStore>(RamStoreOptions{1 << 20, 1}, clock)});
  return TierChain::Create(std::move(tiers), Ttl::Never(), clock);
}

TEST(TierChainNamespaceTest, LimitsANamespaceInTheNamedTiersOnly) {
  auto chain = HotAndWarm();
  EXPECT_EQ(chain->LimitNamespace("n", {{"cold", 100}}).code(), StatusCode::kInvalidArg);
  ASSERT_TRUE(chain->LimitNamespace("n", {{"hot", 4096}}).ok());
  const Status status = chain->SetNow(Key("n", "big"), Bytes::Allocate(8192), WriteOptions{});
  EXPECT_TRUE(status.ok()) << "the warm tier took it: " << status.message();
  EXPECT_EQ(chain->Stats().tiers[0].store.entries, 0u);
  EXPECT_EQ(chain->Stats().tiers[1].store.entries, 1u);
}

TEST(TierChainNamespaceTest, PromotionsNameTheKeysNamespace) {
  auto chain = HotAndWarm();
  std::vector<std::string> heard;
  chain->events().Subscribe([&](const CacheEvent& event) { heard.push_back(event.ns + "/" + event.key); },
                            static_cast<EventKinds>(EventKind::kPromote));
  ASSERT_TRUE(chain->LimitNamespace("n", {{"hot", 1}}).ok());  // nothing of n fits in hot
  ASSERT_TRUE(chain->SetNow(Key("n", "k"), Bytes::Copy("v"), WriteOptions{}).ok());
  ASSERT_TRUE(chain->LimitNamespace("n", {{"hot", std::nullopt}}).ok());
  ASSERT_EQ(chain->Stats().tiers[0].store.entries, 0u);
  EXPECT_EQ(Text(chain->GetNow(Key("n", "k"))), "v");  // from warm, copied into hot
  EXPECT_EQ(heard, std::vector<std::string>{"n/k"});
  EXPECT_EQ(chain->Stats().tiers[0].store.entries, 1u);
}

}  // namespace
}  // namespace stratacache
