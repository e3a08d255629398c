#include "sqlite_db.h"

#include <filesystem>
#include <utility>

namespace stratacache::disk {

Status SqliteStatus(sqlite3* db, int rc, std::string_view what) {
  const int primary = rc & 0xff;
  std::string detail = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  std::string message = "disk index: " + std::string(what) + ": " + detail;
  if (primary == SQLITE_FULL) return Status(StatusCode::kQuota, "disk full: " + message, false);
  if (primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB) return Status(StatusCode::kCorrupt, message);
  return Status(StatusCode::kIo, message);
}

Statement::Statement(Statement&& other) noexcept
    : db_(other.db_), stmt_(std::exchange(other.stmt_, nullptr)) {}

Statement& Statement::operator=(Statement&& other) noexcept {
  std::swap(db_, other.db_);
  std::swap(stmt_, other.stmt_);
  return *this;
}

Statement& Statement::Bind(int index, int64_t value) {
  sqlite3_bind_int64(stmt_, index, value);
  return *this;
}

Statement& Statement::Bind(int index, std::string_view text) {
  sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  return *this;
}

Statement& Statement::BindBlob(int index, const void* data, size_t size) {
  // A zero-length blob must not bind as NULL, which a null pointer would.
  static const char kEmpty = 0;
  sqlite3_bind_blob(stmt_, index, size ? data : &kEmpty, static_cast<int>(size), SQLITE_TRANSIENT);
  return *this;
}

Statement& Statement::BindNull(int index) {
  sqlite3_bind_null(stmt_, index);
  return *this;
}

Status Statement::Run(std::string_view what) {
  int rc;
  while ((rc = Step()) == SQLITE_ROW) {
  }
  Status status = rc == SQLITE_DONE ? Status::Ok() : SqliteStatus(db_, rc, what);
  Reset();
  return status;
}

std::string_view Statement::Blob(int column) const {
  const void* data = sqlite3_column_blob(stmt_, column);
  return {static_cast<const char*>(data), static_cast<size_t>(sqlite3_column_bytes(stmt_, column))};
}

std::string_view Statement::Text(int column) const {
  const unsigned char* data = sqlite3_column_text(stmt_, column);
  return {reinterpret_cast<const char*>(data), static_cast<size_t>(sqlite3_column_bytes(stmt_, column))};
}

Status SqliteDb::Open(const std::string& path, bool create, int busy_timeout_ms) {
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
  int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
  if (rc != SQLITE_OK) return SqliteStatus(db_, rc, "open " + path);
  sqlite3_busy_timeout(db_, busy_timeout_ms);
  sqlite3_extended_result_codes(db_, 1);
  return Status::Ok();
}

namespace {

// `path` as a URI filename, with the characters a URI gives a meaning to escaped.
std::string FileUri(const std::string& path) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string uri = "file:";
  for (const char c : path) {
    if (c == '?' || c == '#' || c == '%') {
      uri += {'%', kHex[static_cast<unsigned char>(c) >> 4], kHex[c & 0xf]};
    } else {
      uri += c;
    }
  }
  return uri;
}

}  // namespace

Status SqliteDb::OpenReadOnly(const std::string& path, int busy_timeout_ms) {
  std::error_code error;
  const bool has_log =
      std::filesystem::exists(path + "-wal", error) && std::filesystem::exists(path + "-shm", error);
  const std::string name = has_log ? path : FileUri(path) + "?immutable=1";
  int rc = sqlite3_open_v2(name.c_str(), &db_, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI, nullptr);
  if (rc != SQLITE_OK) return SqliteStatus(db_, rc, "open " + path);
  sqlite3_busy_timeout(db_, busy_timeout_ms);
  sqlite3_extended_result_codes(db_, 1);
  return Status::Ok();
}

Status SqliteDb::Exec(std::string_view sql) {
  std::string text(sql);
  int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, nullptr);
  return rc == SQLITE_OK ? Status::Ok() : SqliteStatus(db_, rc, text.substr(0, 40));
}

Statement SqliteDb::Prepare(std::string_view sql, Status* status) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &stmt,
                              nullptr);
  if (rc != SQLITE_OK) {
    *status = SqliteStatus(db_, rc, "prepare");
    return Statement();
  }
  return Statement(db_, stmt);
}

}  // namespace stratacache::disk
