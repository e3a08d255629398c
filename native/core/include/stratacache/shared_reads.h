// Concurrent reads of one key from a slow store, sharing one request: the first caller sends it, later callers
// wait for its answer, which every caller then gets. Thread-safe; answers run on the thread that finishes.
#pragma once

#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "stratacache/key.h"
#include "stratacache/store.h"

namespace stratacache {

class SharedReads {
 public:
  // Adds `done` to the callers of `key`'s read; true when it is the first, which must send the request and
  // call Finish when it completes.
  bool Join(const Key& key, GetDone done);
  // Answers every caller of `key`'s read with the outcome.
  void Finish(const Key& key, const Status& status, const std::optional<Hit>& hit);

 private:
  static std::string IdOf(const Key& key) { return key.ns() + '\0' + key.text(); }

  std::mutex mu_;
  std::unordered_map<std::string, std::vector<GetDone>> waiting_;
};

}  // namespace stratacache
