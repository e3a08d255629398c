// Namespace limits in the disk tier: counted from the index, so they hold across a reopen; other namespaces and
// the default one untouched; the index a namespace's eviction order needs is added to an existing database.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <future>
#include <string>
#include <vector>

#include "index_schema.h"
#include "sqlite_db.h"
#include "store_fixture.h"
#include "stratacache/disk/disk_store.h"

namespace stratacache::disk {
namespace {

class DiskNamespaceTest : public DiskStoreFixture {
 protected:
  // Stores `size` bytes of content of its own (identical content would be stored once).
  Status Put(const Key& key, size_t size) {
    Bytes value = Bytes::Allocate(size);
    const uint32_t serial = ++serial_;
    std::memcpy(value.mutable_data(), &serial, std::min(size, sizeof serial));
    std::promise<Status> done;
    store_->Put(key, std::move(value), kNeverExpires, [&](Status status) { done.set_value(status); });
    const Status status = done.get_future().get();
    clock_->Advance(10);  // once the writer has read the clock: each later entry is more recent
    return status;
  }
  bool Has(const Key& key) {
    std::promise<bool> done;
    store_->Has(key, [&](Status status, bool found) { done.set_value(status.ok() && found); });
    return done.get_future().get();
  }
  // How many of keys k10..k<9 + count> of `ns` are stored.
  int Count(const std::string& ns, int count) {
    int found = 0;
    for (int i = 0; i < count; ++i) found += Has(Key(ns, "k" + std::to_string(10 + i)));
    return found;
  }
  // An entry of `ns` under a three-character key with a value of `size` bytes, as the namespace is charged it.
  static uint64_t Charge(const std::string& ns, size_t size) {
    return EntryCharge(Key(ns, "k10")) + ContentCharge(size);
  }

  uint32_t serial_ = 0;
};

TEST_F(DiskNamespaceTest, ANamespaceOverItsLimitEvictsItsOldestEntriesOnly) {
  Listen(static_cast<EventKinds>(EventKind::kEvict),
         [](const CacheEvent& event) { return event.ns + "/" + event.key + " " + event.reason; });
  ASSERT_TRUE(store_->LimitNamespace("n", 5 * Charge("n", 6000)).ok());
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(Put(Key("k" + std::to_string(10 + i)), 6000).ok());
    ASSERT_TRUE(Put(Key("other", "k" + std::to_string(10 + i)), 6000).ok());
  }
  for (int i = 0; i < 50; ++i) ASSERT_TRUE(Put(Key("n", "k" + std::to_string(10 + i)), 6000).ok());  // ten times
  Flush();
  EXPECT_EQ(Count("n", 50), 5);
  for (int i = 45; i < 50; ++i) EXPECT_TRUE(Has(Key("n", "k" + std::to_string(10 + i)))) << i;
  EXPECT_EQ(Count("other", 10), 10);
  EXPECT_EQ(Count("", 10), 10);
  EXPECT_EQ(store_->Counters().evictions, 45u);
  const std::vector<std::string> heard = Heard();
  ASSERT_EQ(heard.size(), 45u);
  EXPECT_EQ(heard.front(), "n/k10 namespace");
}

TEST_F(DiskNamespaceTest, TheLimitCountsWhatTheIndexHeldBeforeAReopen) {
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(Put(Key("n", "k" + std::to_string(10 + i)), 100).ok());
  Reopen();
  ASSERT_TRUE(store_->LimitNamespace("n", 4 * Charge("n", 100)).ok());
  Flush();
  EXPECT_EQ(Count("n", 20), 4);
  EXPECT_TRUE(Has(Key("n", "k29")));
  ASSERT_TRUE(store_->LimitNamespace("n", std::nullopt).ok());
  for (int i = 20; i < 30; ++i) ASSERT_TRUE(Put(Key("n", "k" + std::to_string(10 + i)), 100).ok());
  Flush();
  EXPECT_EQ(Count("n", 30), 14) << "a lifted limit evicts nothing more";
}

TEST_F(DiskNamespaceTest, TheTiersOwnLimitStillBoundsEveryNamespace) {
  const uint64_t limit = 20 * Charge("n", 6000);
  Reopen(limit);
  ASSERT_TRUE(store_->LimitNamespace("n", 40 * Charge("n", 6000)).ok());  // above the tier's: the tier's bounds it
  for (int i = 0; i < 100; ++i) {
    ASSERT_TRUE(Put(Key(i % 2 ? "n" : "m", "k" + std::to_string(10 + i)), 6000).ok());
  }
  Flush();
  EXPECT_LE(store_->Counters().bytes, limit);
  EXPECT_GT(store_->Counters().bytes, limit / 2);
}

// A write into a namespace at its limit, with the tier full too: the namespace gives up its oldest entry, which
// makes room enough, so the tier evicts nothing else (the default namespace's older entries stay).
TEST_F(DiskNamespaceTest, WhatANamespaceGivesUpCountsTowardsTheTiersBudgetFirst) {
  Reopen(4 * Charge("n", 6000) + 1'000);
  ASSERT_TRUE(store_->LimitNamespace("n", 2 * Charge("n", 6000)).ok());
  ASSERT_TRUE(Put(Key("k10"), 6000).ok());
  ASSERT_TRUE(Put(Key("k11"), 6000).ok());
  for (int i = 0; i < 6; ++i) ASSERT_TRUE(Put(Key("n", "k" + std::to_string(10 + i)), 6000).ok());
  Flush();
  EXPECT_EQ(Count("", 2), 2);
  EXPECT_EQ(Count("n", 6), 2);
  EXPECT_TRUE(Has(Key("n", "k15")));
  EXPECT_EQ(store_->Counters().evictions, 4u);
}

TEST_F(DiskNamespaceTest, AValueLargerThanItsNamespaceMayHoldIsRefused) {
  ASSERT_TRUE(store_->LimitNamespace("n", 10'000).ok());
  EXPECT_EQ(Put(Key("n", "big"), 20'000).code(), StatusCode::kTooLarge);
  EXPECT_TRUE(Put(Key("big"), 20'000).ok()) << "the default namespace is not bound by it";
  EXPECT_EQ(store_->LimitNamespace("", 10'000).code(), StatusCode::kInvalidArg);
}

TEST_F(DiskNamespaceTest, AnExistingIndexGetsTheNamespaceOrderOnOpen) {
  const auto has_index = [this] {
    SqliteDb db;
    EXPECT_TRUE(db.Open(IndexPath(root_.string()), false, 1000).ok());
    Status status;
    Statement find = db.Prepare("SELECT 1 FROM sqlite_master WHERE name = 'entries_by_namespace_rank'", &status);
    EXPECT_TRUE(status.ok()) << status.message();
    return find.Step() == SQLITE_ROW;
  };
  ASSERT_TRUE(has_index());
  store_.reset();
  {
    SqliteDb db;
    ASSERT_TRUE(db.Open(IndexPath(root_.string()), false, 1000).ok());
    ASSERT_TRUE(db.Exec("DROP INDEX entries_by_namespace_rank").ok());  // as a database from before namespaces
  }
  EXPECT_FALSE(has_index());
  Reopen();
  EXPECT_TRUE(has_index());
}

}  // namespace
}  // namespace stratacache::disk
