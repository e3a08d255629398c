// A thin RAII layer over the SQLite C API: one connection, prepared statements, and SQLite result codes turned
// into the core's Status. Each connection is used by one thread only.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "stratacache/status.h"

namespace stratacache::disk {

// `what` failed with SQLite result `rc` on `db` (which may be null): a Status with a message that says why.
// A full disk and a corrupt file keep their own codes, so callers can react to them.
Status SqliteStatus(sqlite3* db, int rc, std::string_view what);

class Statement {
 public:
  Statement() = default;
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement() { sqlite3_finalize(stmt_); }

  // Bind by 1-based index. Blobs and text are copied only when SQLite needs to (SQLITE_TRANSIENT).
  Statement& Bind(int index, int64_t value);
  Statement& Bind(int index, std::string_view text);
  Statement& BindBlob(int index, const void* data, size_t size);
  Statement& BindNull(int index);

  // SQLITE_ROW, SQLITE_DONE, or an error code.
  int Step() { return sqlite3_step(stmt_); }
  // Steps to completion; the Status of the last step. Resets the statement either way.
  Status Run(std::string_view what);
  // Clears bindings and rewinds, ready for the next use.
  void Reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }

  int64_t Int(int column) const { return sqlite3_column_int64(stmt_, column); }
  bool IsNull(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }
  std::string_view Blob(int column) const;
  std::string_view Text(int column) const;

 private:
  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
};

class SqliteDb {
 public:
  SqliteDb() = default;
  SqliteDb(const SqliteDb&) = delete;
  SqliteDb& operator=(const SqliteDb&) = delete;
  ~SqliteDb() { sqlite3_close_v2(db_); }

  // Opens (creating if `create`) the database at `path`, with a busy timeout so that other processes' write
  // transactions are waited for rather than failed.
  Status Open(const std::string& path, bool create, int busy_timeout_ms);
  // Opens the database at `path` for reading only, writing and creating no file: through its log (-wal and -shm)
  // when a writer left both, else as immutable, since a plain read-only open of a WAL database creates them (owned
  // by whoever reads, which can lock the cache's own user out of them).
  Status OpenReadOnly(const std::string& path, int busy_timeout_ms);
  Status Exec(std::string_view sql);
  // A prepared statement; on failure `*status` says why and the statement is empty.
  Statement Prepare(std::string_view sql, Status* status);

  sqlite3* handle() const { return db_; }

 private:
  sqlite3* db_ = nullptr;
};

}  // namespace stratacache::disk
