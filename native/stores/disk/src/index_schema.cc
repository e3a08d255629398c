#include "index_schema.h"

#include <algorithm>

namespace stratacache::disk {

namespace {

// Long enough for another process's group commit (which holds the write lock for one batch) to finish.
constexpr int kBusyTimeoutMs = 30'000;

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS entries(
  digest BLOB PRIMARY KEY, ns TEXT NOT NULL, key TEXT NOT NULL, hash BLOB NOT NULL, size INTEGER NOT NULL,
  created INTEGER NOT NULL, expires INTEGER NOT NULL, last_access INTEGER NOT NULL, hits INTEGER NOT NULL,
  tags TEXT, score INTEGER NOT NULL) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS entries_by_score ON entries(score);
CREATE INDEX IF NOT EXISTS entries_by_expiry ON entries(expires);
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

}  // namespace

std::string DigestBlob(const Key& key) {
  std::string blob(16, '\0');
  for (int i = 0; i < 8; ++i) {
    blob[i] = static_cast<char>(key.digest().high >> (56 - 8 * i));
    blob[8 + i] = static_cast<char>(key.digest().low >> (56 - 8 * i));
  }
  return blob;
}

Blake3Digest HashFromBlob(std::string_view blob) {
  Blake3Digest hash{};
  std::copy_n(blob.begin(), std::min(blob.size(), hash.size()), hash.begin());
  return hash;
}

Status OpenIndex(const std::string& root, bool strict, bool create, SqliteDb* db) {
  Status status = db->Open(IndexPath(root), create, kBusyTimeoutMs);
  if (!status.ok()) return status;
  // Switching to WAL is persistent, so only the first opener changes anything; the others read the mode.
  if (create && !(status = db->Exec("PRAGMA journal_mode=WAL")).ok()) return status;
  if (!(status = db->Exec(strict ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL")).ok()) return status;
  if (create) {
    std::string schema = std::string("BEGIN IMMEDIATE;") + kSchema + "COMMIT;";
    if (!(status = db->Exec(schema)).ok()) {
      db->Exec("ROLLBACK");
      return status;
    }
  }
  // Reads a page of each table, which finds a file that is not a database, or a damaged schema.
  return db->Exec("SELECT count(*) FROM (SELECT 1 FROM meta), (SELECT 1 FROM content LIMIT 1)");
}

}  // namespace stratacache::disk
