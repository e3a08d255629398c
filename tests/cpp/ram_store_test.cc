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
  std::unique_ptr<RamStore> MakeStore(uint64_t limit, unsigned shards = 4) {
    return std::make_unique<RamStore>(RamStoreOptions{limit, shards}, clock_);
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

TEST_F(RamStoreTest, BudgetHoldsUnderTenfoldOverfillWithRandomSizes) {
  const uint64_t limit = 1 << 20;
  auto store = MakeStore(limit, 8);
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

TEST_F(RamStoreTest, BudgetHoldsAcrossManyShards) {
  const uint64_t limit = 64ull << 20;
  auto store = MakeStore(limit, 16);
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

TEST_F(RamStoreTest, SweepRemovesOnlyExpiredEntries) {
  auto store = MakeStore(64 << 20);
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
  EXPECT_EQ(counters.bytes, 2500 * RamStore::ChargeFor(4, 1, false));
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

TEST_F(RamStoreTest, ConcurrentThreadsKeepTheBudgetAndNeverSeeForeignValues) {
  const uint64_t limit = 256 << 10;
  auto store = MakeStore(limit, 16);
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
  // Accounting stays exact under contention: the sum of charges equals what the store reports.
  uint64_t entries = 0;
  for (int i = 0; i < 2000; ++i) entries += store->Contains(Key("k" + std::to_string(i)));
  EXPECT_EQ(entries, counters.entries);
}

}  // namespace
}  // namespace stratacache
