// A disk store on a fresh folder per test (named after the test), removed afterwards; Reopen() restarts the store
// on the same folder with other options.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
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

  std::filesystem::path root_;
  std::shared_ptr<testing::ManualClock> clock_ = std::make_shared<testing::ManualClock>();
  std::unique_ptr<DiskStore> store_;
};

}  // namespace stratacache::disk
