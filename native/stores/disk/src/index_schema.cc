#include "index_schema.h"

#include <algorithm>
#include <chrono>
#include <thread>

#include "stratacache/clock.h"

namespace stratacache::disk {

namespace {

// Long enough for another process's group commit (which holds the write lock for one batch) to finish.
constexpr int kBusyTimeoutMs = 30'000;

// Entries that never expire are left out of the expiry index: one B-tree page less to write per put.
static_assert(kNeverExpires == 9223372036854775807);
constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS entries(
  digest BLOB PRIMARY KEY, ns TEXT NOT NULL, key TEXT NOT NULL, hash BLOB NOT NULL, size INTEGER NOT NULL,
  created INTEGER NOT NULL, expires INTEGER NOT NULL, last_access INTEGER NOT NULL, hits INTEGER NOT NULL,
  tags TEXT, score INTEGER NOT NULL) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS entries_by_score ON entries(score);
DROP INDEX IF EXISTS entries_by_expiry;
CREATE INDEX IF NOT EXISTS entries_expiring ON entries(expires) WHERE expires < 9223372036854775807;
CREATE INDEX IF NOT EXISTS entries_by_hash ON entries(hash);
-- A namespace's eviction order (IndexWriter::EvictNamespaceTo). Partial: the default namespace's writes skip it.
CREATE INDEX IF NOT EXISTS entries_by_namespace ON entries(ns, score) WHERE ns <> '';
CREATE TABLE IF NOT EXISTS content(
  hash BLOB PRIMARY KEY, size INTEGER NOT NULL, charge INTEGER NOT NULL, refs INTEGER NOT NULL, data BLOB);
CREATE TABLE IF NOT EXISTS directories(
  digest BLOB PRIMARY KEY, ns TEXT NOT NULL, key TEXT NOT NULL, folder TEXT NOT NULL, size INTEGER NOT NULL,
  charge INTEGER NOT NULL, created INTEGER NOT NULL, last_access INTEGER NOT NULL, hits INTEGER NOT NULL,
  score INTEGER NOT NULL) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS directories_by_score ON directories(score);
CREATE TABLE IF NOT EXISTS meta(
  id INTEGER PRIMARY KEY CHECK (id = 0), total_bytes INTEGER NOT NULL, entries INTEGER NOT NULL);
INSERT OR IGNORE INTO meta VALUES (0, 0, 0);
)sql";

// Switches a database to WAL. That needs its exclusive lock, and SQLite returns SQLITE_BUSY at once rather than
// wait on its busy handler (waiting could deadlock there): several processes opening one new folder at the same
// moment would fail. Tried again, pausing a little longer each time, until the busy timeout.
Status SwitchToWal(SqliteDb* db) {
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::milliseconds(kBusyTimeoutMs);
  for (auto pause = std::chrono::milliseconds(1);; pause = std::min(pause * 2, std::chrono::milliseconds(50))) {
    Status status = db->Exec("PRAGMA journal_mode=WAL");
    const bool busy = (sqlite3_errcode(db->handle()) & 0xff) == SQLITE_BUSY;
    if (status.ok() || !busy || std::chrono::steady_clock::now() >= give_up) return status;
    std::this_thread::sleep_for(pause);
  }
}

}  // namespace

std::string DigestBlob(const Digest& digest) {
  std::string blob(16, '\0');
  for (int i = 0; i < 8; ++i) {
    blob[i] = static_cast<char>(digest.high >> (56 - 8 * i));
    blob[8 + i] = static_cast<char>(digest.low >> (56 - 8 * i));
  }
  return blob;
}

Digest DigestFromBlob(std::string_view blob) {
  Digest digest;
  for (size_t i = 0; i < 16 && i < blob.size(); ++i) {
    uint64_t& word = i < 8 ? digest.high : digest.low;
    word = word << 8 | static_cast<uint8_t>(blob[i]);
  }
  return digest;
}

Blake3Digest HashFromBlob(std::string_view blob) {
  Blake3Digest hash{};
  std::copy_n(blob.begin(), std::min(blob.size(), hash.size()), hash.begin());
  return hash;
}

std::optional<InlineContent> InlineContentAt(const Statement& row, int column) {
  if (row.IsNull(column)) return std::nullopt;
  InlineContent content{row.Blob(column), std::nullopt};
  if (!row.IsNull(column + 1)) content.sum = row.Blob(column + 1);
  return content;
}

// Adds the checksum column of inline values to a content table an older version made (or this one, just now).
Status AddSumColumn(SqliteDb* db) {
  Status status;
  Statement column = db->Prepare("SELECT count(*) FROM pragma_table_info('content') WHERE name = 'sum'", &status);
  if (!status.ok()) return status;
  const bool present = column.Step() == SQLITE_ROW && column.Int(0) > 0;
  column.Reset();
  return present ? Status::Ok() : db->Exec("ALTER TABLE content ADD COLUMN sum BLOB");
}

Status OpenIndex(const std::string& root, bool strict, bool create, SqliteDb* db) {
  Status status = db->Open(IndexPath(root), create, kBusyTimeoutMs);
  if (!status.ok()) return status;
  // Switching to WAL is persistent, so only the first opener changes anything; the others read the mode.
  if (create && !(status = SwitchToWal(db)).ok()) return status;
  if (!(status = db->Exec(strict ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL")).ok()) return status;
  // Each connection caches up to 16 MiB of pages (SQLite's default is 2 MiB), and reads the database file through
  // a memory map rather than a read call per page: fewer system calls per get, and per put for the index pages it
  // reads. Pages still in the write-ahead log are read as before.
  if (!(status = db->Exec("PRAGMA cache_size=-16384; PRAGMA mmap_size=1073741824")).ok()) return status;
  if (create) {
    status = db->Exec(std::string("BEGIN IMMEDIATE;") + kSchema);
    if (status.ok()) status = AddSumColumn(db);
    if (status.ok()) status = db->Exec("COMMIT");
    if (!status.ok()) {
      db->Exec("ROLLBACK");
      return status;
    }
  }
  // Reads a page of each table, which finds a file that is not a database, or a damaged schema.
  return db->Exec("SELECT count(*) FROM (SELECT 1 FROM meta), (SELECT 1 FROM content LIMIT 1)");
}

}  // namespace stratacache::disk
