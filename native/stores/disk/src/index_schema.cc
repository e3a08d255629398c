#include "index_schema.h"

#include <algorithm>
#include <chrono>
#include <thread>

#include "stratacache/clock.h"

namespace stratacache::disk {

namespace {

// Long enough for another process's group commit (which holds the write lock for one batch) to finish.
constexpr int kBusyTimeoutMs = 30'000;

// Tables first: the columns later versions added to a table an older one made come next (AddMissingColumns),
// and the indexes over them after that.
constexpr const char* kTables = R"sql(
CREATE TABLE IF NOT EXISTS entries(
  digest BLOB PRIMARY KEY, ns TEXT NOT NULL, key TEXT NOT NULL, hash BLOB NOT NULL, size INTEGER NOT NULL,
  created INTEGER NOT NULL, expires INTEGER NOT NULL, last_access INTEGER NOT NULL, hits INTEGER NOT NULL,
  tags TEXT, score INTEGER NOT NULL, seq INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS content(
  hash BLOB PRIMARY KEY, size INTEGER NOT NULL, charge INTEGER NOT NULL, refs INTEGER NOT NULL, data BLOB, sum BLOB);
CREATE TABLE IF NOT EXISTS directories(
  digest BLOB PRIMARY KEY, ns TEXT NOT NULL, key TEXT NOT NULL, folder TEXT NOT NULL, size INTEGER NOT NULL,
  charge INTEGER NOT NULL, created INTEGER NOT NULL, last_access INTEGER NOT NULL, hits INTEGER NOT NULL,
  score INTEGER NOT NULL, seq INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS meta(
  id INTEGER PRIMARY KEY CHECK (id = 0), total_bytes INTEGER NOT NULL, entries INTEGER NOT NULL,
  seq INTEGER NOT NULL DEFAULT 0);
INSERT OR IGNORE INTO meta(id, total_bytes, entries) VALUES (0, 0, 0);
)sql";

// Columns added since the first version, with their declarations: table, column, declaration.
constexpr const char* kAddedColumns[][3] = {
    {"content", "sum", "BLOB"},
    {"entries", "seq", "INTEGER NOT NULL DEFAULT 0"},
    {"directories", "seq", "INTEGER NOT NULL DEFAULT 0"},
    {"meta", "seq", "INTEGER NOT NULL DEFAULT 0"},
};

// Eviction goes by (score, seq): the indexes on them (with the digest, the key of these WITHOUT ROWID tables, at
// their end) give the eviction order without a sort. Entries that never expire are left out of the expiry index:
// one B-tree page less to write per put.
static_assert(kNeverExpires == 9223372036854775807);
constexpr const char* kIndexes = R"sql(
DROP INDEX IF EXISTS entries_by_score;
CREATE INDEX IF NOT EXISTS entries_by_rank ON entries(score, seq);
DROP INDEX IF EXISTS entries_by_expiry;
CREATE INDEX IF NOT EXISTS entries_expiring ON entries(expires) WHERE expires < 9223372036854775807;
CREATE INDEX IF NOT EXISTS entries_by_hash ON entries(hash);
-- A namespace's eviction order (IndexWriter::EvictNamespaceTo). Partial: the default namespace's writes skip it.
DROP INDEX IF EXISTS entries_by_namespace;
CREATE INDEX IF NOT EXISTS entries_by_namespace_rank ON entries(ns, score, seq) WHERE ns <> '';
DROP INDEX IF EXISTS directories_by_score;
CREATE INDEX IF NOT EXISTS directories_by_rank ON directories(score, seq);
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

// Adds the columns of kAddedColumns that the tables (made by an older version) lack.
Status AddMissingColumns(SqliteDb* db) {
  Status status;
  Statement column = db->Prepare("SELECT count(*) FROM pragma_table_info(?1) WHERE name = ?2", &status);
  for (const auto& [table, name, declaration] : kAddedColumns) {
    if (!status.ok()) return status;
    column.Bind(1, std::string_view(table)).Bind(2, std::string_view(name));
    const bool present = column.Step() == SQLITE_ROW && column.Int(0) > 0;
    column.Reset();
    if (!present) {
      status = db->Exec(std::string("ALTER TABLE ") + table + " ADD COLUMN " + name + " " + declaration);
    }
  }
  return status;
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
    status = db->Exec(std::string("BEGIN IMMEDIATE;") + kTables);
    if (status.ok()) status = AddMissingColumns(db);
    if (status.ok()) status = db->Exec(kIndexes);
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
