// Directory entries of the disk tier (directory_store.h): folders filled by the caller, tracked in the index,
// charged against the budget, evicted as a unit but never while held, kept across reopening, checked by verify().
#include <gtest/gtest.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <future>

#include "index_schema.h"
#include "store_fixture.h"

namespace stratacache::disk {
namespace {

namespace fs = std::filesystem;

using Granted = std::pair<Status, DirectoryGrant>;

class DirectoryEntriesTest : public DiskStoreFixture {
 protected:
  // Starts an acquire; the future is ready once it is granted (a waiter's only when the fill ends).
  std::future<Granted> StartAcquire(const std::string& key) {
    auto done = std::make_shared<std::promise<Granted>>();
    store_->AcquireDirectory(Key(key), [done](Status status, DirectoryGrant grant) {
      done->set_value({status, std::move(grant)});
    });
    return done->get_future();
  }
  DirectoryGrant Acquire(const std::string& key) {
    auto [status, grant] = StartAcquire(key).get();
    EXPECT_TRUE(status.ok()) << status.message();
    return grant;
  }
  Granted Commit(const std::string& key, const std::string& temp_path) {
    std::promise<Granted> done;
    store_->CommitDirectory(Key(key), temp_path, [&](Status status, DirectoryGrant grant) {
      done.set_value({status, std::move(grant)});
    });
    return done.get_future().get();
  }
  // Acquires `key` (a miss), writes `files` (name, size) into its folder and commits it; the committed path,
  // still held.
  std::string Fill(const std::string& key, const std::vector<std::pair<std::string, size_t>>& files) {
    DirectoryGrant grant = Acquire(key);
    EXPECT_TRUE(grant.fill);
    for (const auto& [name, size] : files) {
      fs::create_directories(fs::path(grant.path / fs::path(name)).parent_path());
      std::ofstream(fs::path(grant.path) / name) << std::string(size, 'x');
    }
    auto [status, committed] = Commit(key, grant.path);
    EXPECT_TRUE(status.ok()) << status.message();
    return committed.path;
  }
  void Release(const std::string& path) {
    store_->ReleaseDirectory(path);
    Flush();
  }
  size_t Count(const char* sub) const {
    size_t count = 0;
    for ([[maybe_unused]] const auto& entry : fs::directory_iterator(root_ / sub)) ++count;
    return count;
  }

};

TEST_F(DirectoryEntriesTest, AMissGrantsATempFolderAndTheCommitMovesItIntoPlace) {
  const std::string path = Fill("build", {{"a.o", 5000}, {"sub/b.o", 100}});
  EXPECT_EQ(fs::path(path).parent_path(), root_ / "dirs");
  EXPECT_EQ(fs::file_size(fs::path(path) / "sub/b.o"), 100u);
  EXPECT_EQ(Count("tmp"), 0u);
  // Charged by the blocks of its files (8 KiB + 4 KiB), plus its key.
  EXPECT_EQ(store_->Counters().entries, 1u);
  EXPECT_EQ(store_->Counters().bytes, EntryCharge(Key("build")) + 3 * 4096);
  Release(path);

  const DirectoryGrant hit = Acquire("build");
  EXPECT_FALSE(hit.fill);
  EXPECT_EQ(hit.path, path);
  EXPECT_TRUE(fs::exists(fs::path(hit.path) / "a.o"));
}

// Strict durability syncs every file and folder of the fill, and dirs/ after the rename; the entry is as usual.
TEST_F(DirectoryEntriesTest, StrictDurabilityCommitsTheSameEntry) {
  Reopen(/*limit=*/0, EvictionPolicy::kLru, /*strict=*/true);
  const std::string path = Fill("build", {{"a.o", 5000}, {"sub/deeper/b.o", 100}});
  EXPECT_EQ(fs::file_size(fs::path(path) / "sub/deeper/b.o"), 100u);
  EXPECT_EQ(store_->Counters().bytes, EntryCharge(Key("build")) + 3 * 4096);
}

TEST_F(DirectoryEntriesTest, CallersThatMissDuringAFillWaitForIt) {
  const DirectoryGrant leader = Acquire("k");
  ASSERT_TRUE(leader.fill);
  std::future<Granted> waiter = StartAcquire("k");
  Flush();
  EXPECT_EQ(waiter.wait_for(std::chrono::milliseconds(0)), std::future_status::timeout);
  std::ofstream(fs::path(leader.path) / "out") << "made once";
  auto [status, committed] = Commit("k", leader.path);
  ASSERT_TRUE(status.ok()) << status.message();
  auto [waited, grant] = waiter.get();
  EXPECT_TRUE(waited.ok());
  EXPECT_FALSE(grant.fill);
  EXPECT_EQ(grant.path, committed.path);
}

TEST_F(DirectoryEntriesTest, AnAbandonedFillLeavesNothingAndItsWaitersGetTheReason) {
  const DirectoryGrant leader = Acquire("k");
  std::future<Granted> waiter = StartAcquire("k");
  std::ofstream(fs::path(leader.path) / "half") << "half written";
  std::promise<Status> abandoned;
  store_->AbandonDirectory(Key("k"), leader.path, Status(StatusCode::kLoader, "the tool failed"),
                           [&](Status status) { abandoned.set_value(status); });
  EXPECT_TRUE(abandoned.get_future().get().ok());
  auto [status, grant] = waiter.get();
  EXPECT_EQ(status.code(), StatusCode::kLoader);
  EXPECT_EQ(status.message(), "the tool failed");
  EXPECT_FALSE(fs::exists(leader.path));
  EXPECT_EQ(Count("dirs"), 0u);
  EXPECT_EQ(store_->Counters().entries, 0u);
  EXPECT_TRUE(Acquire("k").fill);  // the next caller fills it
}

TEST_F(DirectoryEntriesTest, OnlyTheFillInProgressCanBeCommitted) {
  const fs::path elsewhere = root_ / "elsewhere";
  fs::create_directories(elsewhere);
  EXPECT_EQ(Commit("k", elsewhere.string()).first.code(), StatusCode::kInvalidArg);
  const DirectoryGrant leader = Acquire("k");
  EXPECT_EQ(Commit("other", leader.path).first.code(), StatusCode::kInvalidArg);
  EXPECT_TRUE(fs::exists(elsewhere));
}

TEST_F(DirectoryEntriesTest, EvictionTakesWholeFoldersButNeverAHeldOne) {
  Reopen(/*limit=*/12'000);
  const std::string first = Fill("first", {{"f", 8000}});  // held
  clock_->Advance(1000);
  const std::string second = Fill("second", {{"f", 8000}});  // over budget, but both are held
  EXPECT_TRUE(fs::exists(first));
  EXPECT_TRUE(fs::exists(second));
  EXPECT_GT(store_->Counters().bytes, 12'000u);

  Release(second);  // the first is older, but held: the second goes
  EXPECT_TRUE(fs::exists(first));
  EXPECT_FALSE(fs::exists(second));
  EXPECT_EQ(store_->Counters().entries, 1u);
  EXPECT_EQ(store_->Counters().evictions, 1u);

  Release(first);
  clock_->Advance(1000);
  const std::string third = Fill("third", {{"f", 8000}});
  EXPECT_FALSE(fs::exists(first));
  EXPECT_TRUE(fs::exists(third));
  EXPECT_LE(store_->Counters().bytes, 12'000u);
}

TEST_F(DirectoryEntriesTest, AFolderLargerThanTheBudgetIsRefused) {
  Reopen(/*limit=*/4'000);
  const DirectoryGrant leader = Acquire("big");
  std::ofstream(fs::path(leader.path) / "f") << std::string(5000, 'x');
  EXPECT_EQ(Commit("big", leader.path).first.code(), StatusCode::kTooLarge);
  EXPECT_FALSE(fs::exists(leader.path));
  EXPECT_EQ(Count("dirs"), 0u);
}

TEST_F(DirectoryEntriesTest, DeleteRemovesTheFolderOnceNoLongerHeld) {
  const std::string held = Fill("held", {{"f", 10}});
  const std::string free = Fill("free", {{"f", 10}});
  Release(free);
  EXPECT_TRUE(Delete("free"));
  EXPECT_FALSE(fs::exists(free));
  EXPECT_TRUE(Delete("held"));
  EXPECT_TRUE(fs::exists(held)) << "in use by its holder";
  EXPECT_TRUE(Acquire("held").fill) << "but no longer an entry";
  Release(held);
  EXPECT_FALSE(fs::exists(held));
  EXPECT_EQ(store_->Counters().entries, 0u);
}

TEST_F(DirectoryEntriesTest, EntriesSurviveReopening) {
  const std::string path = Fill("kept", {{"f", 10}});
  const uint64_t bytes = store_->Counters().bytes;
  Reopen();
  EXPECT_EQ(store_->Counters().bytes, bytes);
  const DirectoryGrant hit = Acquire("kept");
  EXPECT_FALSE(hit.fill);
  EXPECT_EQ(hit.path, path);
}

TEST_F(DirectoryEntriesTest, VerifyDropsEntriesWithoutAFolderAndFoldersWithoutAnEntry) {
  Release(Fill("lost", {{"f", 10}}));
  const std::string kept = Fill("kept", {{"f", 10}});
  Release(kept);
  fs::remove_all(root_ / "dirs" / fs::path(Acquire("lost").path).filename());
  fs::create_directories(root_ / "dirs" / "stray" / "inner");
  const VerifyReport report = Verify();
  EXPECT_EQ(report.removed_entries, 1u);
  EXPECT_EQ(report.orphan_files, 1u);
  EXPECT_EQ(report.entries, 1u);
  EXPECT_FALSE(fs::exists(root_ / "dirs" / "stray"));
  EXPECT_TRUE(fs::exists(kept));
  EXPECT_EQ(store_->Counters().bytes, EntryCharge(Key("kept")) + 4096);
}

// An index written before directory entries existed gains their table when the writer opens it.
TEST_F(DirectoryEntriesTest, AnOlderIndexIsUpgraded) {
  store_.reset();
  {
    SqliteDb db;
    ASSERT_TRUE(db.Open(IndexPath(root_.string()), /*create=*/false, 1'000).ok());
    ASSERT_TRUE(db.Exec("DROP TABLE directories").ok());
  }
  Reopen();
  const std::string path = Fill("after", {{"f", 10}});
  EXPECT_TRUE(fs::exists(path));
}

// Two stores on one folder stand for two processes: each fills the key, the first commit wins, and the second
// filler is granted the winner's folder (which the other process may be reading) while its own goes.
TEST_F(DirectoryEntriesTest, ACommitAfterAnotherProcessFilledTheKeyKeepsTheirFolder) {
  std::unique_ptr<DiskStore> other;
  DiskStoreOptions options;
  options.path = root_.string();
  ASSERT_TRUE(DiskStore::Open(options, clock_, &other).ok());
  const DirectoryGrant mine = Acquire("k");
  std::promise<Granted> theirs_acquired;
  other->AcquireDirectory(Key("k"), [&](Status status, DirectoryGrant grant) {
    theirs_acquired.set_value({status, grant});
  });
  const DirectoryGrant theirs = theirs_acquired.get_future().get().second;
  ASSERT_TRUE(mine.fill && theirs.fill);
  std::promise<Granted> theirs_committed;
  other->CommitDirectory(Key("k"), theirs.path, [&](Status status, DirectoryGrant grant) {
    theirs_committed.set_value({status, grant});
  });
  const std::string winner = theirs_committed.get_future().get().second.path;
  auto [status, grant] = Commit("k", mine.path);
  EXPECT_TRUE(status.ok()) << status.message();
  EXPECT_EQ(grant.path, winner);
  EXPECT_TRUE(fs::exists(winner));
  EXPECT_FALSE(fs::exists(mine.path));
  EXPECT_EQ(Count("dirs"), 1u);
}

TEST_F(DirectoryEntriesTest, ClosingDuringAFillRemovesItsFolderAndFailsItsWaiters) {
  const DirectoryGrant leader = Acquire("k");
  std::future<Granted> waiter = StartAcquire("k");
  Flush();
  store_.reset();
  EXPECT_EQ(waiter.get().first.code(), StatusCode::kClosed);
  EXPECT_FALSE(fs::exists(leader.path));
}

// A batch whose commit fails (the index cannot grow on a full disk) is rolled back whole, and the folders its
// entries use stay: a delete, an eviction and a clear are each tried on a full disk, then the entry must still
// be its folder, whole.
TEST_F(DirectoryEntriesTest, AFailedCommitKeepsTheFoldersOfItsEntries) {
  if (!MountTinyFilesystem("2m")) GTEST_SKIP() << "cannot mount a tmpfs here (needs root): " << std::strerror(errno);
  const std::string path = Fill("build", {{"a.o", 40'000}});
  Release(path);
  // A second link to the file, so that removing the folder frees no space and the disk stays full.
  fs::create_hard_link(fs::path(path) / "a.o", root_ / "pinned.o");
  FillUp();

  const std::vector<std::pair<const char*, std::function<Status()>>> releases = {
      {"delete", [&] { return DeleteStatus("build"); }},
      {"evict", [&] { return EvictAll(); }},
      {"clear", [&] { return ClearStatus(); }},
  };
  for (const auto& [what, release] : releases) {
    const Status status = release();
    EXPECT_EQ(status.code(), StatusCode::kQuota) << what << ": " << status.message();
    EXPECT_TRUE(fs::exists(fs::path(path) / "a.o")) << "after a failed " << what;
  }

  FreeUp();
  const VerifyReport report = Verify();
  EXPECT_EQ(report.removed_entries, 0u);
  EXPECT_EQ(report.orphan_files, 0u);
  const DirectoryGrant hit = Acquire("build");
  EXPECT_FALSE(hit.fill);
  EXPECT_EQ(hit.path, path);
  EXPECT_EQ(fs::file_size(fs::path(path) / "a.o"), 40'000u);
  Release(hit.path);
}

}  // namespace
}  // namespace stratacache::disk
