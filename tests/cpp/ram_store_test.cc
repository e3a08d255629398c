#include "stratacache/ram_store.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <thread>
#include <vector>

#include "manual_clock.h"

namespace stratacache {
namespace {

using testing::ManualClock;

class RamStoreTest : public ::testing::Test {
 protected:
  std::unique_ptr<RamStore> MakeStore(uint64_t limit, unsigned shards = 4, RamPolicy policy = RamPolicy::kLru) {
    return std::make_unique<RamStore>(RamStoreOptions{limit, shards, policy}, clock_);
  }
  std::shared_ptr<ManualClock> clock_ = std::make_shared<ManualClock>();
};

std::string Text(const std::optional<Hit>& hit) { return hit ? std::string(hit->value.view()) : "<miss>"; }

TEST_F(RamStoreTest, StoresReplacesAndErases) {
  auto store = MakeStore(1 << 20);
  EXPECT_EQ(Text(store->Lookup(Key("a"))), "<miss>");
  ASSERT_TRUE(store->Insert(Key("a"), Bytes::Copy("one"), kNeverExpires).ok());
  EXPECT_EQ(Text(store->Lookup(Key("a"))), "one");
  ASSERT_TRUE(store->Insert(Key("a"), Bytes::Copy("two"), kNeverExpires).ok());
  EXPECT_EQ(Text(store->Lookup(Key("a"))), "two");
  EXPECT_EQ(store->Counters().entries, 1u);
  EXPECT_TRUE(store->Erase(Key("a")));
  EXPECT_FALSE(store->Erase(Key("a")));
  EXPECT_EQ(store->Counters().entries, 0u);
  EXPECT_EQ(store->Counters().bytes, 0u);
}

// By digest alone (what another process announces), in any namespace and under every policy's bookkeeping; and
// every entry but those kept, with the budget, namespace bytes and change counters following.
TEST_F(RamStoreTest, ErasesByDigestAndAllButTheKept) {
  for (RamPolicy policy : {RamPolicy::kLru, RamPolicy::kLfu, RamPolicy::kSizedLru, RamPolicy::kS3Fifo}) {
    auto store = MakeStore(1 << 20, 4, policy);
    auto changes = std::make_shared<ChangeCounters>();
    store->CountChangesIn(changes);
    for (int i = 0; i < 40; ++i) {
      ASSERT_TRUE(store->Insert(Key(i % 2 ? "ns" : "", "k" + std::to_string(i)), Bytes::Copy("v"), kNeverExpires).ok());
    }
    const Key one("ns", "k1");
    const uint32_t before = changes->Read(ChangeCounters::StripeOf(one.digest()));
    store->EraseDigest(one.digest());
    store->EraseDigest(Key("absent").digest());
    EXPECT_EQ(Text(store->Lookup(one)), "<miss>");
    EXPECT_NE(changes->Read(ChangeCounters::StripeOf(one.digest())), before);
    EXPECT_EQ(store->Counters().entries, 39u);
    const Key kept("k0");
    store->EraseAllBut([&](const Digest& digest) { return digest == kept.digest(); });
    EXPECT_EQ(store->Counters().entries, 1u);
    EXPECT_EQ(Text(store->Lookup(kept)), "v");
    EXPECT_EQ(store->NamespaceBytes("ns"), 0u);
    EXPECT_EQ(store->Counters().bytes, RamStore::ChargeFor(2, 1, false, policy));
    ASSERT_TRUE(store->Insert(Key("ns", "k3"), Bytes::Copy("v"), kNeverExpires).ok()) << "still usable";
  }
}

TEST_F(RamStoreTest, NamespacesAreSeparate) {
  auto store = MakeStore(1 << 20);
  ASSERT_TRUE(store->Insert(Key("ns1", "k"), Bytes::Copy("1"), kNeverExpires).ok());
  EXPECT_EQ(Text(store->Lookup(Key("ns2", "k"))), "<miss>");
  EXPECT_EQ(Text(store->Lookup(Key("ns1", "k"))), "1");
}

TEST_F(RamStoreTest, ChargesKeysValuesAndOverhead) {
  auto store = MakeStore(1 << 20);
  const std::string long_key(100, 'k');
  ASSERT_TRUE(store->Insert(Key(long_key), Bytes::Copy(std::string(1000, 'v')), kNeverExpires).ok());
  ASSERT_TRUE(store->Insert(Key("short"), Bytes::Copy("v"), clock_->NowMs() + 1000).ok());
  const uint64_t expected = RamStore::ChargeFor(100, 1000, false) + RamStore::ChargeFor(5, 1, true);
  EXPECT_EQ(store->Counters().bytes, expected);
  // The charge is more than the payload: keys and overhead count too.
  EXPECT_GT(RamStore::ChargeFor(100, 1000, false), 1100u + 64u);
  EXPECT_GT(RamStore::ChargeFor(5, 1, true), RamStore::ChargeFor(5, 1, false));
}

TEST_F(RamStoreTest, EvictsLeastRecentlyUsedFirst) {
  const uint64_t one = RamStore::ChargeFor(2, 100, false);
  auto store = MakeStore(3 * one, /*shards=*/1);
  for (const char* k : {"k1", "k2", "k3"}) ASSERT_TRUE(store->Insert(Key(k), Bytes::Copy(std::string(100, 'x')), kNeverExpires).ok());
  ASSERT_TRUE(store->Lookup(Key("k1")));  // k2 is now the coldest
  ASSERT_TRUE(store->Insert(Key("k4"), Bytes::Copy(std::string(100, 'x')), kNeverExpires).ok());
  EXPECT_TRUE(store->Contains(Key("k1")));
  EXPECT_FALSE(store->Contains(Key("k2")));
  EXPECT_TRUE(store->Contains(Key("k3")));
  EXPECT_TRUE(store->Contains(Key("k4")));
  EXPECT_EQ(store->Counters().evictions, 1u);
}

TEST_F(RamStoreTest, RefusesAValueLargerThanTheBudgetAndDropsTheOldOne) {
  auto store = MakeStore(4096);
  ASSERT_TRUE(store->Insert(Key("k"), Bytes::Copy("old"), kNeverExpires).ok());
  Status status = store->Insert(Key("k"), Bytes::Copy(std::string(8192, 'x')), kNeverExpires);
  EXPECT_EQ(status.code(), StatusCode::kTooLarge);
  EXPECT_FALSE(store->Contains(Key("k")));
}

// What every policy must keep: the budget, exact accounting, thread safety.
class RamPolicyTest : public RamStoreTest, public ::testing::WithParamInterface<RamPolicy> {};

INSTANTIATE_TEST_SUITE_P(Policies, RamPolicyTest,
                         ::testing::Values(RamPolicy::kLru, RamPolicy::kLfu, RamPolicy::kSizedLru, RamPolicy::kS3Fifo));

TEST_P(RamPolicyTest, BudgetHoldsUnderTenfoldOverfillWithRandomSizes) {
  const uint64_t limit = 1 << 20;
  auto store = MakeStore(limit, 8, GetParam());
  std::mt19937 rng(42);
  std::uniform_int_distribution<size_t> size(0, 16 << 10);
  uint64_t written = 0;
  for (int i = 0; written < 10 * limit; ++i) {
    size_t n = size(rng);
    ASSERT_TRUE(store->Insert(Key("key:" + std::to_string(i)), Bytes::Allocate(n), kNeverExpires).ok());
    written += n;
    ASSERT_LE(store->Counters().bytes, limit);
  }
  StoreCounters counters = store->Counters();
  EXPECT_GT(counters.evictions, 0u);
  EXPECT_GT(counters.bytes, limit / 2) << "eviction should not empty the store";
}

TEST_F(RamStoreTest, SmallBudgetsGetFewerShards) {
  EXPECT_EQ(MakeStore(1 << 20, 16)->shard_count(), 1u);  // exact LRU where it is cheap
  EXPECT_EQ(MakeStore(12ull << 20, 16)->shard_count(), 2u);
  EXPECT_EQ(MakeStore(1ull << 30, 16)->shard_count(), 16u);
  EXPECT_EQ(MakeStore(1ull << 30, 5)->shard_count(), 8u);
}

TEST_P(RamPolicyTest, BudgetHoldsAcrossManyShards) {
  const uint64_t limit = 64ull << 20;
  auto store = MakeStore(limit, 16, GetParam());
  ASSERT_EQ(store->shard_count(), 16u);
  std::mt19937 rng(1);
  for (int i = 0; i < 4000; ++i) {
    // Sizes vary widely, so some shards run over while others have entries to give up.
    size_t n = (rng() % 4 == 0) ? (256u << 10) : (rng() % 8192);
    ASSERT_TRUE(store->Insert(Key("key:" + std::to_string(i)), Bytes::Allocate(n), kNeverExpires).ok());
    ASSERT_LE(store->Counters().bytes, limit);
  }
  EXPECT_GT(store->Counters().evictions, 0u);
}

TEST_F(RamStoreTest, ExpiresLazilyOnAccess) {
  auto store = MakeStore(1 << 20);
  ASSERT_TRUE(store->Insert(Key("k"), Bytes::Copy("v"), clock_->NowMs() + 1000).ok());
  clock_->Advance(999);
  EXPECT_EQ(Text(store->Lookup(Key("k"))), "v");
  clock_->Advance(1);
  EXPECT_FALSE(store->Contains(Key("k")));
  EXPECT_EQ(Text(store->Lookup(Key("k"))), "<miss>");
  EXPECT_EQ(store->Counters().expirations, 1u);
  EXPECT_EQ(store->Counters().entries, 0u);
}

TEST_P(RamPolicyTest, SweepRemovesOnlyExpiredEntries) {
  auto store = MakeStore(64 << 20, 4, GetParam());
  for (int i = 0; i < 5000; ++i) {
    int64_t expires = i % 2 ? clock_->NowMs() + 100 : kNeverExpires;
    ASSERT_TRUE(store->Insert(Key(std::to_string(i)), Bytes::Copy("v"), expires).ok());
  }
  clock_->Advance(100);
  store->Sweep();
  StoreCounters counters = store->Counters();
  EXPECT_EQ(counters.expirations, 2500u);
  EXPECT_EQ(counters.entries, 2500u);
  // Short keys live in the small-string buffer, so every survivor costs the same.
  EXPECT_EQ(counters.bytes, 2500 * RamStore::ChargeFor(4, 1, false, GetParam()));
}

TEST_F(RamStoreTest, InsertingAnExpiredEntryStoresNothing) {
  auto store = MakeStore(1 << 20);
  ASSERT_TRUE(store->Insert(Key("k"), Bytes::Copy("old"), kNeverExpires).ok());
  ASSERT_TRUE(store->Insert(Key("k"), Bytes::Copy("v"), clock_->NowMs()).ok());
  EXPECT_FALSE(store->Contains(Key("k")));
  EXPECT_EQ(store->Counters().entries, 0u);
}

TEST_F(RamStoreTest, EvictionNeverFreesBytesAReaderHolds) {
  auto store = MakeStore(RamStore::ChargeFor(1, 1000, false), 1);
  ASSERT_TRUE(store->Insert(Key("a"), Bytes::Copy(std::string(1000, 'a')), kNeverExpires).ok());
  std::optional<Hit> pinned = store->Lookup(Key("a"));
  ASSERT_TRUE(pinned);
  ASSERT_TRUE(store->Insert(Key("b"), Bytes::Copy(std::string(1000, 'b')), kNeverExpires).ok());
  EXPECT_FALSE(store->Contains(Key("a")));
  EXPECT_EQ(pinned->value.view(), std::string(1000, 'a'));
}

TEST_F(RamStoreTest, ClearEmptiesEveryShard) {
  auto store = MakeStore(1 << 20, 8);
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(store->Insert(Key(std::to_string(i)), Bytes::Copy("v"), kNeverExpires).ok());
  store->EraseAll();
  EXPECT_EQ(store->Counters().entries, 0u);
  EXPECT_EQ(store->Counters().bytes, 0u);
  EXPECT_FALSE(store->Contains(Key("5")));
  ASSERT_TRUE(store->Insert(Key("5"), Bytes::Copy("again"), kNeverExpires).ok());
  EXPECT_EQ(Text(store->Lookup(Key("5"))), "again");
}

TEST_P(RamPolicyTest, ConcurrentThreadsKeepTheBudgetAndNeverSeeForeignValues) {
  const uint64_t limit = 256 << 10;
  auto store = MakeStore(limit, 16, GetParam());
  std::vector<std::thread> threads;
  std::atomic<int> wrong{0};
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937 rng(t);
      for (int i = 0; i < 20000; ++i) {
        std::string key = "k" + std::to_string(rng() % 2000);
        switch (rng() % 4) {
          case 0:
          case 1:
            // Each value spells its own key, so a reader can tell a misplaced value.
            (void)store->Insert(Key(key), Bytes::Copy(key + std::string(rng() % 512, '.')), kNeverExpires);
            break;
          case 2:
            if (auto hit = store->Lookup(Key(key)); hit && hit->value.view().substr(0, key.size()) != key) ++wrong;
            break;
          default:
            store->Erase(Key(key));
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(wrong.load(), 0);
  StoreCounters counters = store->Counters();
  EXPECT_LE(counters.bytes, limit);
  EXPECT_GT(counters.evictions, 0u);
  // Accounting stays exact under contention: the sum of charges equals what the store reports.
  uint64_t entries = 0;
  for (int i = 0; i < 2000; ++i) entries += store->Contains(Key("k" + std::to_string(i)));
  EXPECT_EQ(entries, counters.entries);
  // Emptying returns every byte, ghosts included: nothing leaked from the policy's structures.
  store->EraseAll();
  EXPECT_EQ(store->Counters().bytes, 0u);
}

TEST_F(RamStoreTest, ParsesThePolicyNamesOfTheJavaScriptApi) {
  EXPECT_EQ(ParseRamPolicy("lru"), RamPolicy::kLru);
  EXPECT_EQ(ParseRamPolicy("lfu"), RamPolicy::kLfu);
  EXPECT_EQ(ParseRamPolicy("sized-lru"), RamPolicy::kSizedLru);
  EXPECT_EQ(ParseRamPolicy("s3-fifo"), RamPolicy::kS3Fifo);
  EXPECT_EQ(ParseRamPolicy("fifo"), std::nullopt);
}

constexpr int64_t kMinute = 60'000;

Status Put(RamStore& store, const std::string& key, size_t size) {
  return store.Insert(Key(key), Bytes::Allocate(size), kNeverExpires);
}

TEST_F(RamStoreTest, LfuKeepsFrequentlyUsedEntriesOverRecentOnes) {
  const uint64_t one = RamStore::ChargeFor(2, 100, false, RamPolicy::kLfu);
  auto store = MakeStore(3 * one, 1, RamPolicy::kLfu);
  for (const char* k : {"k1", "k2", "k3"}) ASSERT_TRUE(Put(*store, k, 100).ok());
  ASSERT_TRUE(store->Lookup(Key("k1")));
  ASSERT_TRUE(store->Lookup(Key("k1")));
  ASSERT_TRUE(store->Lookup(Key("k2")));
  clock_->Advance(10 * kMinute);
  ASSERT_TRUE(store->Lookup(Key("k3")));
  // Scores: k1 = t0 + 2 h, k2 = t0 + 1 h, k3 = t0 + 10 min + 1 h. LRU would drop k1, the least recent.
  ASSERT_TRUE(Put(*store, "k4", 100).ok());
  EXPECT_TRUE(store->Contains(Key("k1")));
  EXPECT_FALSE(store->Contains(Key("k2")));
  EXPECT_TRUE(store->Contains(Key("k3")));
  EXPECT_TRUE(store->Contains(Key("k4")));
}

TEST_F(RamStoreTest, SizedLruEvictsLargeColdEntriesFirst) {
  const auto charge = [](size_t size) { return RamStore::ChargeFor(6, size, false, RamPolicy::kSizedLru); };
  auto store = MakeStore(2 * charge(100) + charge(4000), 1, RamPolicy::kSizedLru);
  ASSERT_TRUE(Put(*store, "small1", 100).ok());
  clock_->Advance(3 * kMinute);
  // Newer, but bit_width(4000) = 12 minutes older than its access vs bit_width(100) = 7 for the small ones.
  ASSERT_TRUE(Put(*store, "large1", 4000).ok());
  ASSERT_TRUE(Put(*store, "small2", 100).ok());
  ASSERT_TRUE(Put(*store, "small3", 100).ok());
  EXPECT_FALSE(store->Contains(Key("large1")));
  EXPECT_TRUE(store->Contains(Key("small1")));
  EXPECT_TRUE(store->Contains(Key("small2")));
  EXPECT_TRUE(store->Contains(Key("small3")));
}

// Uses 20 keys twice each, then inserts 1000 keys used once; reports how many of the 20 survive.
int HotKeysSurvivingAScan(RamStore& store) {
  for (int i = 0; i < 20; ++i) {
    EXPECT_TRUE(Put(store, "hot" + std::to_string(i), 100).ok());
    EXPECT_TRUE(store.Lookup(Key("hot" + std::to_string(i))));
  }
  for (int i = 0; i < 1000; ++i) EXPECT_TRUE(Put(store, "scan" + std::to_string(i), 100).ok());
  int survivors = 0;
  for (int i = 0; i < 20; ++i) survivors += store.Contains(Key("hot" + std::to_string(i)));
  return survivors;
}

TEST_F(RamStoreTest, S3FifoScanOfOneHitWondersDoesNotFlushTheUsedSet) {
  const uint64_t limit = 100 * RamStore::ChargeFor(7, 100, false, RamPolicy::kS3Fifo);
  EXPECT_EQ(HotKeysSurvivingAScan(*MakeStore(limit, 1, RamPolicy::kS3Fifo)), 20);
  EXPECT_EQ(HotKeysSurvivingAScan(*MakeStore(limit, 1, RamPolicy::kLru)), 0);
}

TEST_F(RamStoreTest, S3FifoSendsAGhostHitToMain) {
  const uint64_t limit = 10 * RamStore::ChargeFor(8, 100, false, RamPolicy::kS3Fifo);
  auto store = MakeStore(limit, 1, RamPolicy::kS3Fifo);
  ASSERT_TRUE(Put(*store, "ghost", 100).ok());
  for (int i = 0; i < 12; ++i) ASSERT_TRUE(Put(*store, "fill" + std::to_string(i), 100).ok());
  ASSERT_FALSE(store->Contains(Key("ghost")));  // left small unused: remembered as a ghost
  ASSERT_TRUE(Put(*store, "ghost", 100).ok());  // back: into main
  ASSERT_TRUE(Put(*store, "fresh", 100).ok());  // never seen: into small
  for (int i = 0; i < 30; ++i) ASSERT_TRUE(Put(*store, "scan" + std::to_string(i), 100).ok());
  EXPECT_TRUE(store->Contains(Key("ghost")));
  EXPECT_FALSE(store->Contains(Key("fresh")));
}

TEST_F(RamStoreTest, S3FifoChargesItsGhostsAgainstTheBudget) {
  const uint64_t one = RamStore::ChargeFor(6, 100, false, RamPolicy::kS3Fifo);
  auto store = MakeStore(10 * one, 1, RamPolicy::kS3Fifo);
  for (int i = 0; i < 12; ++i) ASSERT_TRUE(Put(*store, "fill" + std::to_string(i), 100).ok());
  const StoreCounters counters = store->Counters();
  EXPECT_GT(counters.evictions, 0u);
  EXPECT_EQ(counters.bytes, counters.entries * one + counters.evictions * RamStore::GhostCharge());
  EXPECT_LE(counters.bytes, 10 * one);
}

}  // namespace
}  // namespace stratacache
