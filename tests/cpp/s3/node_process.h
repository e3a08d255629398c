// A Node.js helper process of the integration tests. It speaks JSON lines: the first line it prints says where
// it listens; after that each command line written to it gets one answer line. Closing its stdin ends it.
#pragma once

#include <sys/types.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace stratacache::s3::testing {

class NodeProcess {
 public:
  // Runs `node <script> <args>` from tests/cpp/s3/fixtures with NODE_PATH pointing at the npm packages (the
  // STRATA_NODE_PATH environment variable, else the path CMake was configured with). Null with `error` set if
  // it does not say hello within 30 s.
  static std::unique_ptr<NodeProcess> Start(const std::string& script, const std::vector<std::string>& args,
                                            std::string* error);
  ~NodeProcess();

  const nlohmann::json& hello() const { return hello_; }
  // Sends one command and waits (up to 60 s) for its answer; {"error": ...} if none comes.
  nlohmann::json Command(const std::string& line);
  // Ends the process at once, as a crash would: open connections drop, the port stops answering.
  void Kill();

 private:
  NodeProcess(pid_t pid, int to_child, int from_child) : pid_(pid), to_child_(to_child), from_child_(from_child) {}
  std::optional<std::string> ReadLine(int timeout_ms);
  void Reap(bool kill_first);

  pid_t pid_;
  int to_child_;
  int from_child_;
  std::string pending_;  // read but not yet returned
  nlohmann::json hello_;
};

}  // namespace stratacache::s3::testing
