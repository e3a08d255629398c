#include "stratacache/disk/disk_store.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <future>
#include <mutex>
#include <string>
#include <vector>
#include <random>
#include <thread>

#include "index_schema.h"
#include "store_fixture.h"
#include "stratacache/blake3.h"

namespace stratacache::disk {
namespace {

namespace fs = std::filesystem;

// The store's operations as blocking calls.
class DiskStoreTest : public DiskStoreFixture {
 protected:
  Status Put(const std::string& key, const Bytes& value, int64_t expires = kNeverExpires) {
    std::promise<Status> done;
    store_->Put(Key(key), value, expires, [&](Status status) { done.set_value(status); });
    return done.get_future().get();
  }
  std::pair<Status, std::optional<Hit>> Get(const std::string& key) {
    std::promise<std::pair<Status, std::optional<Hit>>> done;
    store_->Get(Key(key), [&](Status status, std::optional<Hit> hit) { done.set_value({status, std::move(hit)}); });
    return done.get_future().get();
  }
  std::optional<std::string> Text(const std::string& key) {
    auto [status, hit] = Get(key);
    EXPECT_TRUE(status.ok()) << status.message();
    if (!hit) return std::nullopt;
    return std::string(hit->value.view());
  }
  // Whether `key` reads back `value`, said briefly (the values here are large).
  ::testing::AssertionResult ReadsBack(const std::string& key, const Bytes& value) {
    auto [status, hit] = Get(key);
    if (!status.ok()) return ::testing::AssertionFailure() << key << ": " << status.message();
    if (!hit) return ::testing::AssertionFailure() << key << " is missing";
    if (hit->value.view() != value.view()) return ::testing::AssertionFailure() << key << " reads other bytes";
    return ::testing::AssertionSuccess();
  }
  bool Has(const std::string& key) {
    std::promise<bool> done;
    store_->Has(Key(key), [&](Status status, bool found) { done.set_value(status.ok() && found); });
    return done.get_future().get();
  }
  uint64_t Clean(CleanOptions options) {
    std::promise<uint64_t> done;
    store_->Clean(options, [&](Status status, uint64_t removed) {
      EXPECT_TRUE(status.ok()) << status.message();
      done.set_value(removed);
    });
    return done.get_future().get();
  }

  fs::path BlobPath(const Bytes& value) const {
    std::string hex = Blake3::ToHex(Blake3::Hash(value.data(), value.size()));
    return root_ / "blobs" / hex.substr(0, 2) / hex.substr(2, 2) / hex;
  }
  size_t BlobCount() const {
    size_t count = 0;
    for (const auto& entry : fs::recursive_directory_iterator(root_ / "blobs")) count += entry.is_regular_file();
    return count;
  }
};

Bytes Pattern(size_t size, uint32_t seed) {
  Bytes bytes = Bytes::Allocate(size);
  std::mt19937 random(seed);
  for (size_t i = 0; i < size; ++i) bytes.mutable_data()[i] = static_cast<uint8_t>(random());
  return bytes;
}

TEST(WalCheckpointPages, ScaleWithTheBudgetBetweenSqlitesDefaultAndSixtyFourMegabytes) {
  EXPECT_EQ(WalCheckpointPages(0), 1000);
  EXPECT_EQ(WalCheckpointPages(uint64_t{512} << 20), 1000);                // 512 MiB: 512 pages, below the floor
  EXPECT_EQ(WalCheckpointPages(uint64_t{8} << 30), 8192);                  // 8 GiB: 32 MB of log
  EXPECT_EQ(WalCheckpointPages(uint64_t{1} << 40), 16000);                 // 1 TiB: the ceiling
}

// A large tier lets its write-ahead log grow before checkpointing; a small one keeps SQLite's 1,000 pages.
TEST_F(DiskStoreTest, ALargeTierCheckpointsItsLogLessOften) {
  const auto log_after_writes = [&](uint64_t limit) {
    Reopen(limit);
    for (int i = 0; i < 1500; ++i) EXPECT_TRUE(Put("k" + std::to_string(i), Bytes::Copy(std::string(1024, 'x'))).ok());
    Flush();
    return fs::file_size(root_ / "index.sqlite-wal");
  };
  const uintmax_t large = log_after_writes(uint64_t{1} << 40);
  fs::remove_all(root_);
  const uintmax_t small = log_after_writes(uint64_t{256} << 20);
  EXPECT_GT(large, uintmax_t{8} << 20);
  EXPECT_LT(small, uintmax_t{6} << 20);
}

TEST_F(DiskStoreTest, PutGetReplaceDeleteSmallAndLarge) {
  const Bytes large = Pattern(100'000, 1);
  ASSERT_TRUE(Put("small", Bytes::Copy("hello")).ok());
  ASSERT_TRUE(Put("large", large).ok());
  ASSERT_TRUE(Put("empty", Bytes()).ok());
  EXPECT_EQ(Text("small"), "hello");
  EXPECT_EQ(Text("large"), std::string(large.view()));
  EXPECT_EQ(Text("empty"), "");
  EXPECT_EQ(Text("missing"), std::nullopt);
  EXPECT_TRUE(fs::exists(BlobPath(large)));  // large values live in files, small ones in the index
  EXPECT_EQ(BlobCount(), 1u);

  ASSERT_TRUE(Put("large", Bytes::Copy("now small")).ok());
  EXPECT_EQ(Text("large"), "now small");
  EXPECT_FALSE(fs::exists(BlobPath(large)));  // its last reference went

  EXPECT_TRUE(Has("small"));
  EXPECT_TRUE(Delete("small"));
  EXPECT_FALSE(Delete("small"));
  EXPECT_FALSE(Has("small"));
  EXPECT_EQ(store_->Counters().entries, 2u);
}

// Large values are hashed and written on reader threads while their puts wait in the writer's queue: writes of
// one key issued back to back, large and small mixed, still land in the order they were made.
TEST_F(DiskStoreTest, WritesOfOneKeyKeepTheirOrderAcrossSizes) {
  std::vector<std::future<Status>> writes;
  auto put = [&](const std::string& key, Bytes value) {
    auto done = std::make_shared<std::promise<Status>>();
    writes.push_back(done->get_future());
    store_->Put(Key(key), std::move(value), kNeverExpires, [done](Status status) { done->set_value(status); });
  };
  for (int round = 0; round < 20; ++round) {
    const std::string key = "k" + std::to_string(round);
    put(key, Pattern(200'000, round));   // large: prepared on a reader thread
    put(key, Bytes::Copy("small"));      // small: straight to the writer
    put("gone" + std::to_string(round), Pattern(300'000, round));
    auto deleted = std::make_shared<std::promise<bool>>();
    store_->Delete(Key("gone" + std::to_string(round)), [deleted](Status, bool found) { deleted->set_value(found); });
    EXPECT_TRUE(deleted->get_future().get()) << "the delete came after the put";
  }
  for (auto& write : writes) EXPECT_TRUE(write.get().ok());
  for (int round = 0; round < 20; ++round) {
    EXPECT_EQ(Text("k" + std::to_string(round)), "small");
    EXPECT_FALSE(Has("gone" + std::to_string(round)));
  }
}

TEST_F(DiskStoreTest, NamespacesAreSeparate) {
  std::promise<Status> put;
  store_->Put(Key("a", "k"), Bytes::Copy("in a"), kNeverExpires, [&](Status status) { put.set_value(status); });
  ASSERT_TRUE(put.get_future().get().ok());
  EXPECT_EQ(Text("k"), std::nullopt);
}

TEST_F(DiskStoreTest, EntriesSurviveReopen) {
  const Bytes large = Pattern(50'000, 2);
  ASSERT_TRUE(Put("small", Bytes::Copy("kept")).ok());
  ASSERT_TRUE(Put("large", large).ok());
  const uint64_t bytes = store_->Counters().bytes;
  Reopen();
  EXPECT_EQ(Text("small"), "kept");
  EXPECT_EQ(Text("large"), std::string(large.view()));
  EXPECT_EQ(store_->Counters().entries, 2u);
  EXPECT_EQ(store_->Counters().bytes, bytes);
}

TEST_F(DiskStoreTest, TtlHoldsAcrossReopenAndSweepRemoves) {
  ASSERT_TRUE(Put("short", Bytes::Copy("s"), clock_->NowMs() + 1'000).ok());
  ASSERT_TRUE(Put("long", Bytes::Copy("l"), clock_->NowMs() + 60'000).ok());
  Reopen();
  EXPECT_EQ(Text("short"), "s");
  auto [status, hit] = Get("long");
  ASSERT_TRUE(hit);
  EXPECT_EQ(hit->expires_at_ms, clock_->NowMs() + 60'000);  // the absolute expiry, kept on disk
  clock_->Advance(1'000);
  EXPECT_EQ(Text("short"), std::nullopt);
  EXPECT_FALSE(Has("short"));
  store_->Sweep();
  Flush();
  EXPECT_EQ(store_->Counters().entries, 1u);
  EXPECT_EQ(store_->Counters().expirations, 1u);
  EXPECT_EQ(Text("long"), "l");
}

// Entries that never expire are left out of the expiry index; an index an older version wrote, whose expiry index
// covers every entry, is upgraded when the writer opens it, and sweeps keep finding what expired.
TEST_F(DiskStoreTest, TheExpiryIndexLeavesOutEntriesThatNeverExpire) {
  ASSERT_TRUE(Put("short", Bytes::Copy("s"), clock_->NowMs() + 1'000).ok());
  ASSERT_TRUE(Put("forever", Bytes::Copy("f")).ok());
  store_.reset();
  {
    SqliteDb db;
    ASSERT_TRUE(db.Open(IndexPath(root_.string()), /*create=*/false, 1'000).ok());
    ASSERT_TRUE(db.Exec("DROP INDEX entries_expiring; CREATE INDEX entries_by_expiry ON entries(expires)").ok());
  }
  Reopen();
  SqliteDb db;
  ASSERT_TRUE(db.Open(IndexPath(root_.string()), /*create=*/false, 1'000).ok());
  Status status;
  Statement indexes =
      db.Prepare("SELECT group_concat(name) FROM sqlite_master WHERE name LIKE 'entries_%expir%'", &status);
  ASSERT_TRUE(status.ok()) << status.message();
  ASSERT_EQ(indexes.Step(), SQLITE_ROW);
  EXPECT_EQ(indexes.Text(0), "entries_expiring");
  indexes.Reset();
  Statement indexed = db.Prepare(
      "SELECT count(*) FROM entries INDEXED BY entries_expiring WHERE expires < " + std::to_string(kNeverExpires),
      &status);
  ASSERT_TRUE(status.ok()) << status.message();
  ASSERT_EQ(indexed.Step(), SQLITE_ROW);
  EXPECT_EQ(indexed.Int(0), 1);
  indexed.Reset();
  clock_->Advance(1'000);
  store_->Sweep();
  Flush();
  EXPECT_EQ(store_->Counters().expirations, 1u);
  EXPECT_EQ(Text("forever"), "f");
}

TEST_F(DiskStoreTest, BudgetHoldsUnderTenfoldOverfill) {
  constexpr uint64_t kLimit = 1'000'000;
  Reopen(kLimit);
  std::mt19937 random(7);
  uint64_t written = 0;
  for (int i = 0; written < 10 * kLimit; ++i) {
    const size_t size = std::uniform_int_distribution<size_t>(1, 60'000)(random);
    ASSERT_TRUE(Put("k" + std::to_string(i), Pattern(size, i)).ok());
    written += size;
    ASSERT_LE(store_->Counters().bytes, kLimit);
  }
  EXPECT_GT(store_->Counters().evictions, 0u);
  uint64_t on_disk = 0;
  for (const auto& entry : fs::recursive_directory_iterator(root_ / "blobs")) {
    if (entry.is_regular_file()) on_disk += entry.file_size();
  }
  EXPECT_LE(on_disk, kLimit);
  EXPECT_EQ(Verify().removed_entries, 0u);  // the totals kept online match a recount
  EXPECT_LE(store_->Counters().bytes, kLimit);
}

TEST_F(DiskStoreTest, LruEvictsTheLeastRecentlyUsed) {
  Reopen(4 * (20'480 + 200));
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(Put("k" + std::to_string(i), Pattern(20'000, i)).ok());
    clock_->Advance(10);
  }
  ASSERT_TRUE(Get("k0").second);  // k1 is now the least recently used
  clock_->Advance(10);
  Flush();
  ASSERT_TRUE(Put("k4", Pattern(20'000, 4)).ok());
  EXPECT_TRUE(Has("k0"));
  EXPECT_FALSE(Has("k1"));
  EXPECT_TRUE(Has("k4"));
}

// Entries scored alike (here all written and used in one millisecond) go in the order the index took their writes
// and uses, whether each came in a batch of its own or many in one.
TEST_F(DiskStoreTest, EntriesScoredAlikeAreEvictedInTheOrderWrittenOrUsed) {
  constexpr size_t kValue = 20'000;
  Reopen(4 * (20'480 + 200));
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(Put("k" + std::to_string(i), Pattern(kValue, i)).ok());
  ASSERT_TRUE(Get("k0").second);  // used: k1 is now the oldest
  Flush();
  std::vector<std::future<Status>> batch;  // sent together: one batch, mostly
  for (int i = 4; i < 7; ++i) {
    auto done = std::make_shared<std::promise<Status>>();
    batch.push_back(done->get_future());
    store_->Put(Key("k" + std::to_string(i)), Pattern(kValue, i), kNeverExpires,
                [done](Status status) { done->set_value(status); });
  }
  for (auto& done : batch) ASSERT_TRUE(done.get().ok());
  ASSERT_TRUE(Put("k7", Pattern(kValue, 7)).ok());
  std::vector<std::string> kept;
  for (int i = 0; i < 8; ++i) {
    if (Has("k" + std::to_string(i))) kept.push_back("k" + std::to_string(i));
  }
  EXPECT_EQ(kept, (std::vector<std::string>{"k4", "k5", "k6", "k7"}));

  Reopen(4 * (20'480 + 200));  // the order holds across a restart (it is kept in the index)
  ASSERT_TRUE(Put("k8", Pattern(kValue, 8)).ok());
  EXPECT_FALSE(Has("k4"));
  EXPECT_TRUE(Has("k5"));
}

// An index as the version before `seq` made it: its tables and indexes, two entries, totals.
TEST_F(DiskStoreTest, AnIndexWithoutWriteOrderIsUpgradedAndItsEntriesGoFirstAmongTies) {
  store_.reset();
  fs::remove_all(root_);
  fs::create_directories(root_);
  const int64_t now = clock_->NowMs();
  {
    SqliteDb db;
    ASSERT_TRUE(db.Open(IndexPath(root_.string()), /*create=*/true, 1'000).ok());
    ASSERT_TRUE(db.Exec(R"sql(
      PRAGMA journal_mode=WAL;
      CREATE TABLE entries(
        digest BLOB PRIMARY KEY, ns TEXT NOT NULL, key TEXT NOT NULL, hash BLOB NOT NULL, size INTEGER NOT NULL,
        created INTEGER NOT NULL, expires INTEGER NOT NULL, last_access INTEGER NOT NULL, hits INTEGER NOT NULL,
        tags TEXT, score INTEGER NOT NULL) WITHOUT ROWID;
      CREATE INDEX entries_by_score ON entries(score);
      CREATE INDEX entries_expiring ON entries(expires) WHERE expires < 9223372036854775807;
      CREATE INDEX entries_by_hash ON entries(hash);
      CREATE INDEX entries_by_namespace ON entries(ns, score) WHERE ns <> '';
      CREATE TABLE content(
        hash BLOB PRIMARY KEY, size INTEGER NOT NULL, charge INTEGER NOT NULL, refs INTEGER NOT NULL, data BLOB,
        sum BLOB);
      CREATE TABLE directories(
        digest BLOB PRIMARY KEY, ns TEXT NOT NULL, key TEXT NOT NULL, folder TEXT NOT NULL, size INTEGER NOT NULL,
        charge INTEGER NOT NULL, created INTEGER NOT NULL, last_access INTEGER NOT NULL, hits INTEGER NOT NULL,
        score INTEGER NOT NULL) WITHOUT ROWID;
      CREATE INDEX directories_by_score ON directories(score);
      CREATE TABLE meta(
        id INTEGER PRIMARY KEY CHECK (id = 0), total_bytes INTEGER NOT NULL, entries INTEGER NOT NULL);
    )sql").ok());
    Status status;
    Statement entry = db.Prepare(
        "INSERT INTO entries VALUES (?1, '', ?2, ?3, ?4, ?5, 9223372036854775807, ?5, 0, NULL, ?5)", &status);
    Statement content = db.Prepare("INSERT INTO content VALUES (?1, ?4, ?4, 1, ?2, NULL)", &status);
    ASSERT_TRUE(status.ok()) << status.message();
    int64_t total = 0;
    for (const std::string key : {"old-a", "old-b"}) {
      const std::string value(1'000, key.back());
      const Blake3Digest hash = Blake3::Hash(value.data(), value.size());
      const std::string digest = DigestBlob(Key(key));
      entry.BindBlob(1, digest.data(), digest.size())
          .Bind(2, key)
          .BindBlob(3, hash.data(), hash.size())
          .Bind(4, static_cast<int64_t>(value.size()))
          .Bind(5, now);
      ASSERT_TRUE(entry.Run("entry").ok());
      content.BindBlob(1, hash.data(), hash.size())
          .BindBlob(2, value.data(), value.size())
          .Bind(4, static_cast<int64_t>(value.size()));
      ASSERT_TRUE(content.Run("content").ok());
      total += static_cast<int64_t>(EntryCharge(Key(key)) + value.size());
    }
    ASSERT_TRUE(db.Exec("INSERT INTO meta VALUES (0, " + std::to_string(total) + ", 2)").ok());
  }
  const uint64_t per_entry = EntryCharge(Key("old-a")) + 1'000;
  Reopen(3 * per_entry);
  EXPECT_TRUE(Has("old-a"));  // (Has, unlike a read, is no use that would give it a place in the order)
  EXPECT_TRUE(Has("old-b"));
  {
    SqliteDb db;
    ASSERT_TRUE(db.Open(IndexPath(root_.string()), /*create=*/false, 1'000).ok());
    Status status;
    Statement columns = db.Prepare(
        "SELECT (SELECT count(*) FROM pragma_table_info('entries') WHERE name = 'seq') + "
        "(SELECT count(*) FROM pragma_table_info('directories') WHERE name = 'seq') + "
        "(SELECT count(*) FROM pragma_table_info('meta') WHERE name = 'seq'), "
        "(SELECT group_concat(name) FROM (SELECT name FROM sqlite_master WHERE name LIKE '%_by_%' ORDER BY name))",
        &status);
    ASSERT_TRUE(status.ok()) << status.message();
    ASSERT_EQ(columns.Step(), SQLITE_ROW);
    EXPECT_EQ(columns.Int(0), 3);
    EXPECT_EQ(columns.Text(1), "directories_by_rank,entries_by_hash,entries_by_namespace_rank,entries_by_rank");
    columns.Reset();
  }
  // Written in the same millisecond as the old entries were last used: the old ones go first.
  ASSERT_TRUE(Put("new-c", Bytes::Copy(std::string(1'000, 'c'))).ok());
  ASSERT_TRUE(Put("new-d", Bytes::Copy(std::string(1'000, 'd'))).ok());
  EXPECT_EQ(Has("old-a") + Has("old-b"), 1);
  EXPECT_EQ(Text(Has("old-a") ? "old-a" : "old-b"), std::string(1'000, Has("old-a") ? 'a' : 'b'));
  EXPECT_TRUE(Has("new-c"));
  EXPECT_TRUE(Has("new-d"));
  EXPECT_EQ(Verify().removed_entries, 0u);
}

TEST_F(DiskStoreTest, EvictionsAndSweptExpirationsAreReportedOnceCommitted) {
  Reopen(4 * (20'480 + 200) + 1'000);  // four large entries and a small one
  Listen(static_cast<EventKinds>(EventKind::kEvict) | static_cast<EventKinds>(EventKind::kExpire),
         [](const CacheEvent& event) {
           return std::string(EventKindName(event.kind)) + " " + event.tier + " " + event.key + " " + event.reason;
         });
  for (int i = 0; i < 5; ++i) {
    clock_->Advance(10);
    ASSERT_TRUE(Put("k" + std::to_string(i), Pattern(20'000, i)).ok());
  }
  ASSERT_TRUE(Put("short", Bytes::Copy("s"), clock_->NowMs() + 1'000).ok());
  clock_->Advance(1'000);
  store_->Sweep();
  Flush();
  EXPECT_EQ(Heard(), (std::vector<std::string>{"evict disk k0 lru", "expire disk short sweep"}));
  EXPECT_EQ(store_->Counters().evictions, 1u);
}

TEST_F(DiskStoreTest, OversizedValueIsRefused) {
  Reopen(10'000);
  EXPECT_EQ(Put("big", Pattern(20'000, 1)).code(), StatusCode::kTooLarge);
}

TEST_F(DiskStoreTest, IdenticalValuesAreStoredOnce) {
  const Bytes value = Pattern(30'000, 3);
  ASSERT_TRUE(Put("a", value).ok());
  const uint64_t one = store_->Counters().bytes;
  ASSERT_TRUE(Put("b", value).ok());
  EXPECT_EQ(BlobCount(), 1u);
  EXPECT_LT(store_->Counters().bytes - one, 1'000u);  // the second entry costs its index row only
  EXPECT_TRUE(Delete("a"));
  EXPECT_TRUE(fs::exists(BlobPath(value)));
  EXPECT_EQ(Text("b"), std::string(value.view()));
  EXPECT_TRUE(Delete("b"));
  EXPECT_FALSE(fs::exists(BlobPath(value)));
  EXPECT_EQ(store_->Counters().bytes, 0u);
}

// Damaged content is never returned: a changed or truncated file is a miss reported as kCorrupt, a deleted file
// a plain miss, and each entry is dropped.
TEST_F(DiskStoreTest, DamagedFilesAreMissesAndRemoved) {
  const Bytes flipped = Pattern(10'000, 4), truncated = Pattern(10'000, 5), deleted = Pattern(10'000, 6);
  ASSERT_TRUE(Put("flipped", flipped).ok());
  ASSERT_TRUE(Put("truncated", truncated).ok());
  ASSERT_TRUE(Put("deleted", deleted).ok());
  {
    std::fstream file(BlobPath(flipped), std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(5'000);
    file.put(static_cast<char>(flipped.data()[5'000] ^ 0x01));
  }
  fs::resize_file(BlobPath(truncated), 9'999);
  fs::remove(BlobPath(deleted));

  for (const char* key : {"flipped", "truncated"}) {
    auto [status, hit] = Get(key);
    EXPECT_EQ(status.code(), StatusCode::kCorrupt) << key;
    EXPECT_FALSE(hit) << key;
  }
  auto [status, hit] = Get("deleted");
  EXPECT_TRUE(status.ok());
  EXPECT_FALSE(hit);
  Flush();
  for (const char* key : {"flipped", "truncated", "deleted"}) EXPECT_FALSE(Has(key)) << key;
  EXPECT_EQ(BlobCount(), 0u);
  EXPECT_EQ(store_->Counters().entries, 0u);
}

// Values kept in the index carry a checksum that gets check: a changed value, or a changed checksum, is a miss
// reported as kCorrupt, and the entry is dropped. Rows an older version wrote have no checksum, and are checked
// against their content hash; the column is added when the writer opens such an index.
TEST_F(DiskStoreTest, DamagedInlineValuesAreMissesAndRemoved) {
  ASSERT_TRUE(Put("data", Bytes::Copy("a value kept in the index")).ok());
  ASSERT_TRUE(Put("sum", Bytes::Copy("another value kept in the index")).ok());
  ASSERT_TRUE(Put("old", Bytes::Copy("a value an older version wrote")).ok());
  ASSERT_TRUE(Put("old damaged", Bytes::Copy("a damaged value an older version wrote")).ok());
  const auto change_index = [&](const char* sql) {
    store_.reset();
    {
      SqliteDb db;
      ASSERT_TRUE(db.Open(IndexPath(root_.string()), /*create=*/false, 1'000).ok());
      ASSERT_TRUE(db.Exec(sql).ok());
    }
    Reopen();
  };
  const auto expect_dropped = [&](std::initializer_list<const char*> keys) {
    for (const char* key : keys) {
      auto [status, hit] = Get(key);
      EXPECT_EQ(status.code(), StatusCode::kCorrupt) << key;
      EXPECT_FALSE(hit) << key;
    }
    Flush();
    for (const char* key : keys) EXPECT_FALSE(Has(key)) << key;
  };
  change_index(
      "UPDATE content SET data = CAST('a value kept in the indeX' AS BLOB) "
      "WHERE hash = (SELECT hash FROM entries WHERE key = 'data');"
      "UPDATE content SET sum = zeroblob(16) WHERE hash = (SELECT hash FROM entries WHERE key = 'sum');");
  expect_dropped({"data", "sum"});
  change_index(
      "ALTER TABLE content DROP COLUMN sum;"
      "UPDATE content SET data = CAST('a damaged value an older version wrotE' AS BLOB) "
      "WHERE hash = (SELECT hash FROM entries WHERE key = 'old damaged');");
  expect_dropped({"old damaged"});
  EXPECT_EQ(Text("old"), "a value an older version wrote");
  EXPECT_EQ(store_->Counters().entries, 1u);
}

// ReadHere answers on the calling thread from the index: values kept there, misses and expired entries at once;
// values in files only when it may read files; a damaged value never (Get reports it); nothing when turned off.
TEST_F(DiskStoreTest, ReadHereAnswersFromTheIndexOnTheCallingThread) {
  const Bytes large = Pattern(100'000, 3);
  ASSERT_TRUE(Put("small", Bytes::Copy("kept in the index")).ok());
  ASSERT_TRUE(Put("large", large).ok());
  ASSERT_TRUE(Put("short", Bytes::Copy("s"), clock_->NowMs() + 1'000).ok());
  ASSERT_TRUE(Put("damaged", Bytes::Copy("a value to damage")).ok());
  const auto read_here = [&](const char* key, HereReach reach, std::optional<Hit>* hit) {
    return store_->ReadHere(Key(key), reach, hit);
  };
  std::optional<Hit> hit;
  ASSERT_EQ(read_here("small", HereReach::kMapped, &hit), HereRead::kHit);
  EXPECT_EQ(std::string(hit->value.view()), "kept in the index");
  EXPECT_EQ(read_here("absent", HereReach::kMapped, &hit), HereRead::kMiss);
  EXPECT_EQ(read_here("large", HereReach::kMapped, &hit), HereRead::kLater);
  hit.reset();
  ASSERT_EQ(read_here("large", HereReach::kFiles, &hit), HereRead::kHit);
  EXPECT_EQ(hit->value.view(), large.view());
  EXPECT_EQ(read_here("short", HereReach::kMapped, &hit), HereRead::kHit);
  clock_->Advance(1'000);
  EXPECT_EQ(read_here("short", HereReach::kMapped, &hit), HereRead::kMiss);

  // Another connection (as another process would) changes the index: the next read here sees it.
  {
    SqliteDb db;
    ASSERT_TRUE(db.Open(IndexPath(root_.string()), /*create=*/false, 1'000).ok());
    ASSERT_TRUE(db.Exec("UPDATE content SET data = CAST('a value to damagE' AS BLOB) "
                        "WHERE hash = (SELECT hash FROM entries WHERE key = 'damaged')")
                    .ok());
  }
  EXPECT_EQ(read_here("damaged", HereReach::kFiles, &hit), HereRead::kLater);
  EXPECT_EQ(Get("damaged").first.code(), StatusCode::kCorrupt);

  Reopen(0, EvictionPolicy::kLru, false, /*reads_here=*/false);
  EXPECT_EQ(read_here("small", HereReach::kFiles, &hit), HereRead::kLater);
  EXPECT_EQ(read_here("absent", HereReach::kFiles, &hit), HereRead::kLater);
}

// Hits answered here count as uses, as those of Get do: the least recently used entry is the one evicted.
TEST_F(DiskStoreTest, ReadHereRecordsUses) {
  const uint64_t limit = 3 * (kEntryCharge + 2 + 1000) + 500;
  Reopen(limit);
  ASSERT_TRUE(Put("k1", Pattern(1000, 1)).ok());
  clock_->Advance(10);
  ASSERT_TRUE(Put("k2", Pattern(1000, 2)).ok());
  clock_->Advance(10);
  ASSERT_TRUE(Put("k3", Pattern(1000, 3)).ok());
  clock_->Advance(10);
  std::optional<Hit> hit;
  ASSERT_EQ(store_->ReadHere(Key("k1"), HereReach::kMapped, &hit), HereRead::kHit);
  clock_->Advance(10);
  ASSERT_TRUE(Put("k4", Pattern(1000, 4)).ok());
  EXPECT_TRUE(Has("k1"));
  EXPECT_FALSE(Has("k2"));
}

TEST_F(DiskStoreTest, VerifyRepairsIndexAndFiles) {
  const Bytes kept = Pattern(10'000, 7), lost = Pattern(10'000, 8);
  ASSERT_TRUE(Put("kept", kept).ok());
  ASSERT_TRUE(Put("lost", lost).ok());
  fs::remove(BlobPath(lost));
  const Bytes orphan = Pattern(9'000, 9);
  fs::create_directories(BlobPath(orphan).parent_path());
  std::ofstream(BlobPath(orphan), std::ios::binary).write(orphan.view().data(), orphan.size());
  // A temp file of a writer that no longer runs (pid 2^22 + 1 is above Linux's pid_max default).
  std::ofstream(root_ / "tmp" / "4194305-0-1") << "partial";

  VerifyReport report = Verify();
  EXPECT_EQ(report.entries, 1u);
  EXPECT_EQ(report.removed_entries, 1u);
  EXPECT_EQ(report.orphan_files, 1u);
  EXPECT_EQ(report.temp_files, 1u);
  EXPECT_EQ(Text("kept"), std::string(kept.view()));
  EXPECT_FALSE(Has("lost"));

  report = Verify();
  EXPECT_EQ(report.removed_entries + report.orphan_files + report.temp_files, 0u);
}

// verify() reads content a chunk at a time outside the write lock: damage anywhere in a cache bigger than a chunk
// is found, and puts made while it runs are neither lost nor reported as damage.
TEST_F(DiskStoreTest, VerifyWalksEveryChunkWhileWritesGoOn) {
  constexpr int kEntries = 300;
  auto value = [](int i) { return i % 3 == 0 ? Pattern(6'000, i) : Bytes::Copy("inline " + std::to_string(i)); };
  for (int i = 0; i < kEntries; ++i) ASSERT_TRUE(Put("k" + std::to_string(i), value(i)).ok());
  for (int i : {0, 150, 297}) fs::resize_file(BlobPath(value(i)), 10);

  std::promise<VerifyReport> verified;
  auto progress = std::make_shared<VerifyProgress>();
  store_->Verify(progress, [&](Status status, VerifyReport report) {
    EXPECT_TRUE(status.ok()) << status.message();
    verified.set_value(report);
  });
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(Put("during" + std::to_string(i), Pattern(5'000, 1'000 + i)).ok());
  const VerifyReport report = verified.get_future().get();
  EXPECT_EQ(report.removed_entries, 3u);
  // Progress ends where the walk did: every value stored before it, and those of the puts it met.
  EXPECT_EQ(progress->checked.load(), progress->total.load());
  EXPECT_GE(progress->checked.load(), static_cast<uint64_t>(kEntries));
  EXPECT_LE(progress->checked.load(), static_cast<uint64_t>(kEntries + 100));

  for (int i : {0, 150, 297}) EXPECT_FALSE(Has("k" + std::to_string(i)));
  EXPECT_EQ(Text("k151"), "inline 151");
  for (int i = 0; i < 100; ++i) {
    EXPECT_EQ(Text("during" + std::to_string(i)), std::string(Pattern(5'000, 1'000 + i).view())) << i;
  }
  const VerifyReport again = Verify();
  EXPECT_EQ(again.removed_entries + again.orphan_files, 0u);
  EXPECT_EQ(again.entries, static_cast<uint64_t>(kEntries - 3 + 100));
}

TEST_F(DiskStoreTest, CleanByAgeThenBySize) {
  ASSERT_TRUE(Put("old", Pattern(10'000, 1)).ok());
  clock_->Advance(60'000);
  ASSERT_TRUE(Put("new1", Pattern(10'000, 2)).ok());
  ASSERT_TRUE(Put("new2", Pattern(10'000, 3)).ok());
  EXPECT_EQ(Clean({.max_age_ms = 30'000, .max_bytes = std::nullopt}), 1u);
  EXPECT_FALSE(Has("old"));
  EXPECT_EQ(Clean({.max_age_ms = std::nullopt, .max_bytes = 15'000}), 1u);
  EXPECT_TRUE(Has("new2"));
  EXPECT_LE(store_->Counters().bytes, 15'000u);
}

TEST_F(DiskStoreTest, ClearRemovesEverything) {
  ASSERT_TRUE(Put("a", Pattern(10'000, 1)).ok());
  ASSERT_TRUE(Put("b", Bytes::Copy("b")).ok());
  std::promise<Status> done;
  store_->Clear([&](Status status) { done.set_value(status); });
  ASSERT_TRUE(done.get_future().get().ok());
  EXPECT_FALSE(Has("a"));
  EXPECT_FALSE(Has("b"));
  EXPECT_EQ(BlobCount(), 0u);
  EXPECT_EQ(store_->Counters().bytes, 0u);
}

// Puts from many threads are committed in shared transactions; every one completes and reads back.
TEST_F(DiskStoreTest, ConcurrentPutsAllLand) {
  constexpr int kThreads = 8, kEach = 200;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::vector<std::future<Status>> pending;
      std::vector<std::shared_ptr<std::promise<Status>>> promises;
      for (int i = 0; i < kEach; ++i) {
        auto promise = std::make_shared<std::promise<Status>>();
        pending.push_back(promise->get_future());
        const bool large = i % 10 == 0;
        store_->Put(Key("t" + std::to_string(t) + "-" + std::to_string(i)),
                    large ? Pattern(8'000, t * kEach + i) : Bytes::Copy(std::to_string(t * kEach + i)),
                    kNeverExpires, [promise](Status status) { promise->set_value(status); });
      }
      for (auto& future : pending) failures += !future.get().ok();
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures, 0);
  EXPECT_EQ(store_->Counters().entries, static_cast<uint64_t>(kThreads * kEach));
  EXPECT_EQ(Text("t3-7"), std::to_string(3 * kEach + 7));
  EXPECT_EQ(Text("t5-10"), std::string(Pattern(8'000, 5 * kEach + 10).view()));
}

// A full disk fails the set that hit it (kQuota, "disk full") and nothing else: gets keep being served, and sets
// work again once space is freed.
TEST_F(DiskStoreTest, DiskFullFailsTheSetAndKeepsServingGets) {
  if (!MountTinyFilesystem("2m")) GTEST_SKIP() << "cannot mount a tmpfs here (needs root): " << std::strerror(errno);
  ASSERT_TRUE(Put("small", Bytes::Copy("still here")).ok());
  const Bytes first = Pattern(100'000, 100);
  ASSERT_TRUE(Put("large0", first).ok());
  Status full;
  int stored = 1;
  for (int i = 1; i < 100 && full.ok(); ++i) {
    full = Put("large" + std::to_string(i), Pattern(100'000, 100 + i));
    stored += full.ok();
  }
  ASSERT_FALSE(full.ok()) << "2 MiB never filled up";
  EXPECT_EQ(full.code(), StatusCode::kQuota);
  EXPECT_NE(full.message().find("disk full"), std::string::npos) << full.message();
  EXPECT_FALSE(full.retryable());
  EXPECT_FALSE(Has("large" + std::to_string(stored)));  // the failed set left nothing behind

  EXPECT_EQ(Text("small"), "still here");
  EXPECT_EQ(Text("large0"), std::string(first.view()));
  EXPECT_EQ(store_->Counters().entries, static_cast<uint64_t>(stored + 1));
  EXPECT_TRUE(fs::is_empty(root_ / "tmp"));  // the partial temp file was removed

  for (int i = 0; i < stored; i += 2) ASSERT_TRUE(Delete("large" + std::to_string(i)));
  EXPECT_TRUE(Put("after", Pattern(100'000, 999)).ok());
  EXPECT_EQ(Text("small"), "still here");
  EXPECT_EQ(Verify().removed_entries, 0u);
}

// A batch whose commit fails (the index cannot grow on a full disk) is rolled back whole, and the content files
// its entries use stay: every way an entry's content is let go (delete, replace, eviction, clear; of content one
// entry or several use) is tried on a full disk, then each entry must still read back its own bytes.
TEST_F(DiskStoreTest, AFailedCommitKeepsTheContentFilesOfItsEntries) {
  if (!MountTinyFilesystem("2m")) GTEST_SKIP() << "cannot mount a tmpfs here (needs root): " << std::strerror(errno);
  const std::vector<std::pair<std::string, Bytes>> values = {
      {"alone", Pattern(60'000, 1)}, {"shared1", Pattern(60'000, 2)}, {"shared2", Pattern(60'000, 2)},
      {"replaced", Pattern(60'000, 3)}, {"small", Bytes::Copy("inline value")}};
  for (const auto& [key, value] : values) ASSERT_TRUE(Put(key, value).ok());
  Flush();
  // A second link to each content file, so that removing one frees no space and the disk stays full.
  fs::create_directory(root_ / "pinned");
  for (const auto& entry : fs::recursive_directory_iterator(root_ / "blobs")) {
    if (entry.is_regular_file()) fs::create_hard_link(entry.path(), root_ / "pinned" / entry.path().filename());
  }
  FillUp();

  const std::vector<std::pair<const char*, std::function<Status()>>> releases = {
      {"delete", [&] { return DeleteStatus("alone"); }},
      {"delete both sharers", [&] {
         store_->Delete(Key("shared1"), [](Status, bool) {});  // one batch with the next
         return DeleteStatus("shared2");
       }},
      {"replace", [&] { return Put("replaced", Bytes::Copy("smaller, inline")); }},
      {"evict", [&] { return EvictAll(); }},
      {"clear", [&] { return ClearStatus(); }},
  };
  for (const auto& [what, release] : releases) {
    const Status status = release();
    EXPECT_EQ(status.code(), StatusCode::kQuota) << what << ": " << status.message();
    for (const auto& [key, value] : values) EXPECT_TRUE(ReadsBack(key, value)) << "after a failed " << what;
  }

  FreeUp();
  const VerifyReport report = Verify();
  EXPECT_EQ(report.removed_entries, 0u);
  EXPECT_EQ(report.orphan_files, 0u);
  EXPECT_EQ(report.entries, values.size());
  for (const auto& [key, value] : values) EXPECT_TRUE(ReadsBack(key, value));
}

// A put whose file was written but whose commit failed (room for the file, none for the index to grow) leaves
// no file behind: it is removed with the rollback, unless an entry uses the same content.
TEST_F(DiskStoreTest, AFailedCommitLeavesNoFileOfItsPutsBehind) {
  if (!MountTinyFilesystem("2m")) GTEST_SKIP() << "cannot mount a tmpfs here (needs root): " << std::strerror(errno);
  const Bytes kept = Pattern(60'000, 1);
  ASSERT_TRUE(Put("kept", kept).ok());
  Flush();
  FillUp();
  // Room for one 60 KB file (15 blocks) and one block more, which is not enough for a commit.
  fs::resize_file(FillerPath(), fs::file_size(FillerPath()) - 16 * 4096);

  const Status status = Put("new", Pattern(60'000, 2));
  EXPECT_EQ(status.code(), StatusCode::kQuota) << status.message();
  EXPECT_FALSE(Has("new"));
  EXPECT_EQ(BlobCount(), 1u);
  FillUp();
  EXPECT_EQ(Put("kept again", kept).code(), StatusCode::kQuota);  // content an entry uses stays
  EXPECT_TRUE(ReadsBack("kept", kept));

  FreeUp();
  const VerifyReport report = Verify();
  EXPECT_EQ(report.removed_entries, 0u);
  EXPECT_EQ(report.orphan_files, 0u);
  EXPECT_TRUE(ReadsBack("kept", kept));
}

// The index holds one row per key digest and stores the key with it: a row whose key differs from the one asked
// for (a digest collision, forged here by moving a row to another key's digest) is a miss, never its value.
TEST_F(DiskStoreTest, RowOfAnotherKeyWithTheSameDigestIsAMiss) {
  ASSERT_TRUE(Put("victim", Bytes::Copy("victim's value")).ok());
  ASSERT_TRUE(Put("forger", Pattern(10'000, 1)).ok());
  store_.reset();
  {
    SqliteDb db;
    ASSERT_TRUE(db.Open(IndexPath(root_.string()), /*create=*/false, 1'000).ok());
    Status status;
    Statement forge = db.Prepare("UPDATE entries SET digest = ?1 WHERE key = 'forger'", &status);
    ASSERT_TRUE(status.ok()) << status.message();
    ASSERT_TRUE(db.Exec("DELETE FROM entries WHERE key = 'victim'").ok());
    const std::string victim = DigestBlob(Key("victim"));
    forge.BindBlob(1, victim.data(), victim.size());
    ASSERT_TRUE(forge.Run("forge").ok());
    ASSERT_EQ(sqlite3_changes(db.handle()), 1);
  }
  Reopen();
  EXPECT_EQ(Text("victim"), std::nullopt);
  EXPECT_FALSE(Has("victim"));
  EXPECT_EQ(Text("forger"), std::nullopt);  // its row no longer sits at its own digest

  ASSERT_TRUE(Put("victim", Bytes::Copy("written again")).ok());  // replaces the forged row
  EXPECT_EQ(Text("victim"), "written again");
}

TEST_F(DiskStoreTest, CorruptIndexIsMovedAsideAndRebuilt) {
  ASSERT_TRUE(Put("a", Pattern(10'000, 1)).ok());
  store_.reset();
  fs::remove(root_ / "index.sqlite-wal");
  fs::remove(root_ / "index.sqlite-shm");
  std::ofstream(root_ / "index.sqlite", std::ios::binary | std::ios::trunc) << std::string(8192, 'x');
  Reopen();
  EXPECT_FALSE(Has("a"));
  EXPECT_EQ(BlobCount(), 0u);
  ASSERT_TRUE(Put("b", Bytes::Copy("works")).ok());
  EXPECT_EQ(Text("b"), "works");
  bool moved_aside = false;
  for (const auto& entry : fs::directory_iterator(root_)) {
    moved_aside |= entry.path().filename().string().starts_with("index.sqlite.corrupt-");
  }
  EXPECT_TRUE(moved_aside);
}

TEST(DiskStoreOpen, UnwritablePathFails) {
  const fs::path file = fs::temp_directory_path() / ("strata-disk-file-" + std::to_string(::getpid()));
  std::ofstream(file) << "not a folder";
  DiskStoreOptions options;
  options.path = (file / "cache").string();
  std::unique_ptr<DiskStore> store;
  Status status = DiskStore::Open(options, std::make_shared<SystemClock>(), &store);
  EXPECT_EQ(status.code(), StatusCode::kIo);
  EXPECT_FALSE(store);
  fs::remove(file);
}

TEST(DiskStoreSettings, ReadsAndChecksTierSettings) {
  TierConfig tier;
  tier.limit_bytes = 1234;
  DiskStoreOptions options;
  EXPECT_EQ(DiskStoreOptionsFrom(tier, &options).code(), StatusCode::kInvalidArg);  // no path
  tier.settings = {{"path", "/tmp/x"}, {"policy", "sized-lru"}, {"durability", "strict"}};
  ASSERT_TRUE(DiskStoreOptionsFrom(tier, &options).ok());
  EXPECT_EQ(options.path, "/tmp/x");
  EXPECT_EQ(options.limit_bytes, 1234u);
  EXPECT_EQ(options.policy, EvictionPolicy::kSizedLru);
  EXPECT_TRUE(options.strict);
  tier.settings["policy"] = "fifo";
  EXPECT_EQ(DiskStoreOptionsFrom(tier, &options).code(), StatusCode::kInvalidArg);
}

}  // namespace
}  // namespace stratacache::disk
