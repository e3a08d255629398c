// The read side of the index: one connection per reader thread (WAL lets readers run beside the writer and
// beside other processes).
#pragma once

#include <optional>
#include <string>

#include "index_schema.h"
#include "stratacache/blake3.h"
#include "stratacache/bytes.h"

namespace stratacache::disk {

// An entry as the index describes it. `inline_value` is set for values kept in the index.
struct IndexedEntry {
  Blake3Digest hash;
  int64_t expires_at_ms;
  std::optional<Bytes> inline_value;
};

class IndexReader {
 public:
  Status Open(const std::string& root, bool strict);

  // The live entry for `key` at `now_ms`, or nullopt: absent, expired, or a different key with the same digest.
  Status Find(const Key& key, int64_t now_ms, std::optional<IndexedEntry>* entry);
  Status Contains(const Key& key, int64_t now_ms, bool* found);

 private:
  SqliteDb db_;
  Statement find_;
  Statement contains_;
};

// Whether the row the statement is on (ns, key, expires in columns 0..2) is `key`'s live entry.
bool IsLiveRow(const Statement& row, const Key& key, int64_t now_ms);

}  // namespace stratacache::disk
