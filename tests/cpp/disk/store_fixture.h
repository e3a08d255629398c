// A disk store on a fresh folder per test (named after the test), removed afterwards; Reopen() restarts the store
// on the same folder with other options.
#pragma once

#include <gtest/gtest.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include <filesystem>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "manual_clock.h"
#include "stratacache/disk/disk_store.h"

namespace stratacache::disk {

class DiskStoreFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = std::filesystem::temp_directory_path() /
            ("strata-disk-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(root_);
    Reopen();
  }
  void TearDown() override {
    store_.reset();
    if (mounted_) ::umount2(root_.c_str(), MNT_DETACH);
    std::filesystem::remove_all(root_);
  }

  void Reopen(uint64_t limit = 0, EvictionPolicy policy = EvictionPolicy::kLru, bool strict = false,
              bool reads_here = true) {
    store_.reset();
    DiskStoreOptions options;
    options.path = root_.string();
    options.limit_bytes = limit;
    options.policy = policy;
    options.strict = strict;
    options.reads_here = reads_here;
    ASSERT_TRUE(DiskStore::Open(options, clock_, &store_).ok());
  }

  // Puts the tier on a tmpfs of `size` (e.g. "2m"), so the disk really fills up. Needs root (CAP_SYS_ADMIN).
  bool MountTinyFilesystem(const char* size) {
    store_.reset();
    std::filesystem::remove_all(root_);
    std::filesystem::create_directories(root_);
    const std::string options = std::string("size=") + size;
    if (::mount("tmpfs", root_.c_str(), "tmpfs", 0, options.c_str()) != 0) return false;
    mounted_ = true;
    Reopen();
    return true;
  }
  // Takes every free block of the tiny filesystem (with a file beside the store's folders), so that the next
  // write that needs a block fails with ENOSPC; FreeUp() gives them back.
  void FillUp() {
    std::FILE* filler = std::fopen(FillerPath().c_str(), "a");
    ASSERT_NE(filler, nullptr);
    std::setvbuf(filler, nullptr, _IONBF, 0);
    const std::string block(4096, 'f');
    while (std::fwrite(block.data(), 1, block.size(), filler) == block.size()) {
    }
    const int error = errno;
    std::fclose(filler);
    ASSERT_EQ(error, ENOSPC);
  }
  void FreeUp() { std::filesystem::remove(FillerPath()); }

  // The store's operations, waited for.
  bool Delete(const std::string& key) {
    std::promise<bool> done;
    store_->Delete(Key(key), [&](Status status, bool found) { done.set_value(status.ok() && found); });
    return done.get_future().get();
  }
  // Each ends an entry's hold on its content (or all of them), and returns how that went.
  Status DeleteStatus(const std::string& key) {
    std::promise<Status> done;
    store_->Delete(Key(key), [&](Status status, bool) { done.set_value(status); });
    return done.get_future().get();
  }
  Status EvictAll() {
    std::promise<Status> done;
    store_->Clean(CleanOptions{std::nullopt, 0}, [&](Status status, uint64_t) { done.set_value(status); });
    return done.get_future().get();
  }
  Status ClearStatus() {
    std::promise<Status> done;
    store_->Clear([&](Status status) { done.set_value(status); });
    return done.get_future().get();
  }
  void Flush() {
    std::promise<Status> done;
    store_->Flush([&](Status status) { done.set_value(status); });
    ASSERT_TRUE(done.get_future().get().ok());
  }
  // From now on, the removals of `kinds` the store reports (as tier "disk", from its writer thread) are recorded,
  // each as `describe(event)`; Heard() returns them.
  void Listen(EventKinds kinds, std::function<std::string(const CacheEvent&)> describe) {
    hub_.Subscribe(
        [this, describe = std::move(describe)](const CacheEvent& event) {
          std::lock_guard lock(heard_mu_);
          heard_.push_back(describe(event));
        },
        kinds);
    store_->ReportRemovalsTo(&hub_, "disk");
  }
  std::vector<std::string> Heard() {
    std::lock_guard lock(heard_mu_);
    return heard_;
  }
  VerifyReport Verify() {
    std::promise<VerifyReport> done;
    store_->Verify(std::make_shared<VerifyProgress>(), [&](Status status, VerifyReport report) {
      EXPECT_TRUE(status.ok()) << status.message();
      done.set_value(report);
    });
    return done.get_future().get();
  }

  std::filesystem::path FillerPath() const { return root_ / "filler"; }

  std::filesystem::path root_;
  bool mounted_ = false;
  std::shared_ptr<testing::ManualClock> clock_ = std::make_shared<testing::ManualClock>();
  EventHub hub_;  // before the store, which reports to it until destroyed
  std::mutex heard_mu_;
  std::vector<std::string> heard_;
  std::unique_ptr<DiskStore> store_;
};

}  // namespace stratacache::disk
