// Several connections opening one new index at the same moment (processes sharing a new folder) all succeed:
// SQLite does not wait on its busy handler to switch a database to WAL (waiting could deadlock there), so first
// openers used to fail with "database is locked".
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "index_schema.h"
#include "sqlite_db.h"

namespace stratacache::disk {
namespace {

TEST(DiskFirstOpen, ConnectionsOpeningOneNewIndexAtOnceAllSucceed) {
  constexpr int kRounds = 60;
  constexpr int kConnections = 8;
  const std::filesystem::path base =
      std::filesystem::temp_directory_path() / ("strata-first-open-" + std::to_string(::getpid()));
  int failed = 0;
  std::string failure;
  for (int round = 0; round < kRounds; ++round) {
    const std::filesystem::path root = base / std::to_string(round);
    std::filesystem::create_directories(root);
    std::promise<void> start_gun;
    std::shared_future<void> start = start_gun.get_future().share();
    std::vector<std::future<Status>> opens;
    for (int i = 0; i < kConnections; ++i) {
      opens.push_back(std::async(std::launch::async, [&root, start] {
        start.wait();
        SqliteDb db;
        return OpenIndex(root.string(), /*strict=*/false, /*create=*/true, &db);
      }));
    }
    start_gun.set_value();
    for (auto& open : opens) {
      const Status status = open.get();
      if (status.ok()) continue;
      ++failed;
      failure = status.message();
    }
  }
  std::filesystem::remove_all(base);
  EXPECT_EQ(failed, 0) << failure;
}

}  // namespace
}  // namespace stratacache::disk
