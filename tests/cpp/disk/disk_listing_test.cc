// Listing a disk tier's entries: through the store (from the index, on a reader thread) and read-only through
// ListIndexPage (the CLI's), which must never create, repair or write anything.
#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <map>
#include <utility>

#include "listing_walk.h"
#include "store_fixture.h"
#include "stratacache/disk/disk_index_view.h"

namespace stratacache::disk {
namespace {

using DiskListingTest = DiskStoreFixture;

// Every file under `root` with its size and a hash of its contents, to compare before and after.
std::map<std::string, std::pair<size_t, size_t>> Snapshot(const std::filesystem::path& root) {
  std::map<std::string, std::pair<size_t, size_t>> files;
  for (const auto& file : std::filesystem::recursive_directory_iterator(root)) {
    if (!file.is_regular_file()) continue;
    std::ifstream in(file.path(), std::ios::binary);
    const std::string bytes(std::istreambuf_iterator<char>(in), {});
    files[file.path().string()] = {bytes.size(), std::hash<std::string>()(bytes)};
  }
  return files;
}

TEST_F(DiskListingTest, ListsLiveEntriesWithTheirFields) {
  testing::ChecksListedFields(*store_, clock_->NowMs());
  // The index knows when each entry was written.
  const auto page = testing::ListPage(*store_, ListRequest{std::nullopt, 10, std::string(), "a1"});
  ASSERT_EQ(page.size(), 1u);
  EXPECT_EQ(page[0].written_at_ms, clock_->NowMs());
  EXPECT_TRUE(page[0].accessed_at_ms.has_value());
}

TEST_F(DiskListingTest, ListsEntriesPresentThroughoutExactlyOnceUnderChurn) {
  // Writes go through the writer's queue; a put's completion means it committed, so no extra settling is needed.
  testing::ListsStableEntriesOnceUnderChurn(*store_, [] {}, 7);
}

TEST_F(DiskListingTest, ReadOnlyListingSeesWhatTheStoreHoldsAndChangesNothing) {
  testing::Write(*store_, Key("small"), "abc", kNeverExpires);
  testing::Write(*store_, Key("tenant", "large"), std::string(10000, 'z'), clock_->NowMs() + 5000);
  Flush();
  const auto before = Snapshot(root_);
  std::vector<ListedEntry> page;
  ASSERT_TRUE(ListIndexPage(root_.string(), ListRequest{std::nullopt, 1, std::nullopt, ""}, clock_->NowMs(), &page).ok());
  ASSERT_EQ(page.size(), 1u);
  std::vector<ListedEntry> rest;
  ASSERT_TRUE(ListIndexPage(root_.string(), ListRequest{page[0].digest, 5, std::nullopt, ""}, clock_->NowMs(), &rest).ok());
  ASSERT_EQ(rest.size(), 1u);
  page.push_back(rest[0]);
  EXPECT_EQ(testing::Counted(page), (std::map<std::string, int>{{"/small", 1}, {"tenant/large", 1}}));
  EXPECT_EQ(Snapshot(root_), before);
  // Past the expiry the entry is no longer listed.
  ASSERT_TRUE(ListIndexPage(root_.string(), ListRequest{std::nullopt, 5, std::nullopt, ""}, clock_->NowMs() + 5000, &page).ok());
  EXPECT_EQ(testing::Counted(page), (std::map<std::string, int>{{"/small", 1}}));
}

TEST_F(DiskListingTest, ReadOnlyListingOfAClosedTierCreatesNoFile) {
  // Closed, the tier leaves no log beside the index: a plain read-only open of a WAL database would create one.
  testing::Write(*store_, Key("k"), "v", kNeverExpires);
  testing::Write(*store_, Key("path?#%"), "v", kNeverExpires);
  store_.reset();
  const auto before = Snapshot(root_);
  ASSERT_FALSE(before.count((root_ / "index.sqlite-wal").string()));
  std::vector<ListedEntry> page;
  ASSERT_TRUE(ListIndexPage(root_.string(), ListRequest{}, clock_->NowMs(), &page).ok());
  EXPECT_EQ(testing::Counted(page), (std::map<std::string, int>{{"/k", 1}, {"/path?#%", 1}}));
  EXPECT_EQ(Snapshot(root_), before);
}

TEST_F(DiskListingTest, ReadOnlyListingOfAFolderWithURICharactersInItsPath) {
  const std::filesystem::path odd = root_ / "a?b#c%20d";
  std::filesystem::create_directories(odd);
  {
    DiskStoreOptions options;
    options.path = odd.string();
    std::unique_ptr<DiskStore> store;
    ASSERT_TRUE(DiskStore::Open(options, clock_, &store).ok());
    testing::Write(*store, Key("k"), "v", kNeverExpires);
  }
  std::vector<ListedEntry> page;
  Status status = ListIndexPage(odd.string(), ListRequest{}, clock_->NowMs(), &page);
  ASSERT_TRUE(status.ok()) << status.message();
  EXPECT_EQ(testing::Counted(page), (std::map<std::string, int>{{"/k", 1}}));
}

TEST_F(DiskListingTest, ReadOnlyListingOfAMissingFolderCreatesNothing) {
  const std::filesystem::path missing = root_ / "typo";
  std::vector<ListedEntry> page;
  Status status = ListIndexPage(missing.string(), ListRequest{}, clock_->NowMs(), &page);
  EXPECT_EQ(status.code(), StatusCode::kNotFound);
  EXPECT_FALSE(std::filesystem::exists(missing));
}

TEST_F(DiskListingTest, ReadOnlyListingOfADamagedIndexFailsAndLeavesItAlone) {
  testing::Write(*store_, Key("k"), "v", kNeverExpires);
  store_.reset();
  const std::filesystem::path index = root_ / "index.sqlite";
  for (const char* damage : {"header", "pages"}) {
    {
      std::fstream file(index, std::ios::in | std::ios::out | std::ios::binary);
      // Over the header, the file is not a database; past it, the schema and table pages are garbage.
      file.seekp(std::string(damage) == "header" ? 0 : 100);
      const std::string garbage(4000, '\x5a');
      file.write(garbage.data(), garbage.size());
    }
    const auto before = Snapshot(root_);
    std::vector<ListedEntry> page;
    Status status = ListIndexPage(root_.string(), ListRequest{}, clock_->NowMs(), &page);
    EXPECT_EQ(status.code(), StatusCode::kCorrupt) << damage << ": " << status.message();
    EXPECT_EQ(Snapshot(root_), before) << damage;
  }
}

}  // namespace
}  // namespace stratacache::disk
