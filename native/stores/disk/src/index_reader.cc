#include "index_reader.h"

#include <algorithm>

namespace stratacache::disk {

namespace {

std::optional<InlineValue> CopyInline(const Statement& row, int column) {
  std::optional<InlineContent> content = InlineContentAt(row, column);
  if (!content) return std::nullopt;
  InlineValue value{Bytes::Copy(content->data), std::nullopt};
  if (content->sum) value.sum = std::string(*content->sum);
  return value;
}

}  // namespace

bool IsLiveRow(const Statement& row, const Key& key, int64_t now_ms) {
  return row.Text(0) == key.ns() && row.Text(1) == key.text() && row.Int(2) > now_ms;
}

Status IndexReader::Open(const std::string& root, bool strict) {
  Status status = OpenIndex(root, strict, /*create=*/false, &db_);
  if (!status.ok()) return status;
  find_ = db_.Prepare(
      "SELECT e.ns, e.key, e.expires, e.hash, c.data, c.sum FROM entries e JOIN content c ON c.hash = e.hash "
      "WHERE e.digest = ?1",
      &status);
  if (!status.ok()) return status;
  contains_ = db_.Prepare("SELECT ns, key, expires FROM entries WHERE digest = ?1", &status);
  if (!status.ok()) return status;
  content_after_ = db_.Prepare("SELECT hash, data, sum FROM content WHERE hash > ?1 ORDER BY hash LIMIT ?2", &status);
  if (!status.ok()) return status;
  uses_file_ = db_.Prepare("SELECT 1 FROM content WHERE hash = ?1 AND data IS NULL", &status);
  if (!status.ok()) return status;
  list_ = PrepareListing(db_, &status);
  return status;
}

Status IndexReader::List(const ListRequest& request, int64_t now_ms, std::vector<ListedEntry>* page) {
  return ListPage(db_, list_, request, now_ms, page);
}

Statement PrepareListing(SqliteDb& db, Status* status) {
  // By the primary key, so each page is a range scan that starts where the last one ended.
  return db.Prepare(
      "SELECT digest, ns, key, size, expires, created, last_access FROM entries "
      "WHERE digest > ?1 AND expires > ?2 AND (?3 IS NULL OR ns = ?3) AND substr(key, 1, length(?4)) = ?4 "
      "ORDER BY digest LIMIT ?5",
      status);
}

Status ListPage(SqliteDb& db, Statement& listing, const ListRequest& request, int64_t now_ms,
                std::vector<ListedEntry>* page) {
  page->clear();
  const std::string after = request.after ? DigestBlob(*request.after) : std::string();
  listing.BindBlob(1, after.data(), after.size()).Bind(2, now_ms).Bind(4, request.prefix);
  listing.Bind(5, static_cast<int64_t>(std::max<size_t>(request.limit, 1)));
  if (request.ns) listing.Bind(3, *request.ns);
  int rc;
  while ((rc = listing.Step()) == SQLITE_ROW) {
    ListedEntry entry;
    entry.digest = DigestFromBlob(listing.Blob(0));
    entry.ns = listing.Text(1);
    entry.key = listing.Text(2);
    entry.size = static_cast<uint64_t>(listing.Int(3));
    entry.expires_at_ms = listing.Int(4);
    entry.written_at_ms = listing.Int(5);
    entry.accessed_at_ms = listing.Int(6);
    page->push_back(std::move(entry));
  }
  listing.Reset();
  return rc == SQLITE_DONE ? Status::Ok() : SqliteStatus(db.handle(), rc, "list entries");
}

Status IndexReader::Find(const Key& key, int64_t now_ms, std::optional<IndexedEntry>* entry) {
  entry->reset();
  const std::string digest = DigestBlob(key);
  find_.BindBlob(1, digest.data(), digest.size());
  int rc = find_.Step();
  if (rc == SQLITE_ROW && IsLiveRow(find_, key, now_ms)) {
    IndexedEntry found;
    found.expires_at_ms = find_.Int(2);
    std::string_view hash = find_.Blob(3);
    std::copy_n(hash.begin(), std::min(hash.size(), found.hash.size()), found.hash.begin());
    found.inline_value = CopyInline(find_, 4);
    *entry = std::move(found);
  }
  Status status = rc == SQLITE_ROW || rc == SQLITE_DONE ? Status::Ok() : SqliteStatus(db_.handle(), rc, "find");
  find_.Reset();
  return status;
}

Status IndexReader::Contains(const Key& key, int64_t now_ms, bool* found) {
  const std::string digest = DigestBlob(key);
  contains_.BindBlob(1, digest.data(), digest.size());
  int rc = contains_.Step();
  *found = rc == SQLITE_ROW && IsLiveRow(contains_, key, now_ms);
  Status status =
      rc == SQLITE_ROW || rc == SQLITE_DONE ? Status::Ok() : SqliteStatus(db_.handle(), rc, "contains");
  contains_.Reset();
  return status;
}

Status IndexReader::ContentAfter(std::string_view after, int limit, std::vector<ContentRow>* rows) {
  rows->clear();
  content_after_.BindBlob(1, after.data(), after.size()).Bind(2, limit);
  int rc;
  while ((rc = content_after_.Step()) == SQLITE_ROW) {
    rows->push_back(ContentRow{HashFromBlob(content_after_.Blob(0)), CopyInline(content_after_, 1)});
  }
  content_after_.Reset();
  return rc == SQLITE_DONE ? Status::Ok() : SqliteStatus(db_.handle(), rc, "read content");
}

Status IndexReader::UsesFile(const Blake3Digest& hash, bool* used) {
  std::string_view blob = HashBlob(hash);
  uses_file_.BindBlob(1, blob.data(), blob.size());
  int rc = uses_file_.Step();
  *used = rc == SQLITE_ROW;
  uses_file_.Reset();
  return rc == SQLITE_ROW || rc == SQLITE_DONE ? Status::Ok() : SqliteStatus(db_.handle(), rc, "find content");
}

}  // namespace stratacache::disk
