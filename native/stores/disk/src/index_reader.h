// The read side of the index: one connection per reader thread (WAL lets readers run beside the writer and
// beside other processes).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "index_schema.h"
#include "stratacache/blake3.h"
#include "stratacache/bytes.h"
#include "stratacache/entry_listing.h"

namespace stratacache::disk {

// A value kept in the index, copied out of it: its bytes and their checksum (see InlineContent).
struct InlineValue {
  Bytes data;
  std::optional<std::string> sum;
  InlineContent content() const { return {data.view(), sum}; }
};

// An entry as the index describes it. `inline_value` is set for values kept in the index.
struct IndexedEntry {
  Blake3Digest hash;
  int64_t expires_at_ms;
  std::optional<InlineValue> inline_value;
};

// A row of the content table as verify() checks it.
struct ContentRow {
  Blake3Digest hash;
  std::optional<InlineValue> inline_value;  // set when the index holds the bytes
};

class IndexReader {
 public:
  Status Open(const std::string& root, bool strict);
  // From now on a lock held by another connection (another process recovering the index) fails a read at once
  // with a busy status, rather than being waited for: for reads on a thread that must not wait.
  void NeverWaitForLocks() { sqlite3_busy_timeout(db_.handle(), 0); }

  // The live entry for `key` at `now_ms`, or nullopt: absent, expired, or a different key with the same digest.
  Status Find(const Key& key, int64_t now_ms, std::optional<IndexedEntry>* entry);
  Status Contains(const Key& key, int64_t now_ms, bool* found);
  // Up to `limit` content rows in hash order after `after` (a hash blob; empty for the first), for verify() to
  // walk the table a chunk at a time.
  Status ContentAfter(std::string_view after, int limit, std::vector<ContentRow>* rows);
  // How many content rows there are: what verify() will walk.
  Status CountContent(uint64_t* rows);
  // Whether a content row says `hash` is kept in a file.
  Status UsesFile(const Blake3Digest& hash, bool* used);
  // One page of the live entries at `now_ms` (Store::ListEntries), in digest order.
  Status List(const ListRequest& request, int64_t now_ms, std::vector<ListedEntry>* page);

 private:
  SqliteDb db_;
  Statement find_;
  Statement contains_;
  Statement content_after_;
  Statement count_content_;
  Statement uses_file_;
  Statement list_;
};

// The statement that lists entries a page at a time, prepared on `db` (which may be read-only).
Statement PrepareListing(SqliteDb& db, Status* status);
// Runs `listing` for one page (see IndexReader::List).
Status ListPage(SqliteDb& db, Statement& listing, const ListRequest& request, int64_t now_ms,
                std::vector<ListedEntry>* page);

// Whether the row the statement is on (ns, key, expires in columns 0..2) is `key`'s live entry.
bool IsLiveRow(const Statement& row, const Key& key, int64_t now_ms);

}  // namespace stratacache::disk
