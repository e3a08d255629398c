// A disk store on a fresh folder per test (named after the test), removed afterwards; Reopen() restarts the store
// on the same folder with other options.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <future>
#include <memory>
#include <string>

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
    std::filesystem::remove_all(root_);
  }

  void Reopen(uint64_t limit = 0, EvictionPolicy policy = EvictionPolicy::kLru, bool strict = false) {
    store_.reset();
    DiskStoreOptions options;
    options.path = root_.string();
    options.limit_bytes = limit;
    options.policy = policy;
    options.strict = strict;
    ASSERT_TRUE(DiskStore::Open(options, clock_, &store_).ok());
  }

  // The store's operations, waited for.
  bool Delete(const std::string& key) {
    std::promise<bool> done;
    store_->Delete(Key(key), [&](Status status, bool found) { done.set_value(status.ok() && found); });
    return done.get_future().get();
  }
  void Flush() {
    std::promise<Status> done;
    store_->Flush([&](Status status) { done.set_value(status); });
    ASSERT_TRUE(done.get_future().get().ok());
  }
  VerifyReport Verify() {
    std::promise<VerifyReport> done;
    store_->Verify([&](Status status, VerifyReport report) {
      EXPECT_TRUE(status.ok()) << status.message();
      done.set_value(report);
    });
    return done.get_future().get();
  }

  std::filesystem::path root_;
  std::shared_ptr<testing::ManualClock> clock_ = std::make_shared<testing::ManualClock>();
  std::unique_ptr<DiskStore> store_;
};

}  // namespace stratacache::disk
