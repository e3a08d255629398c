#include "stratacache/disk/disk_index_view.h"

#include <filesystem>

#include "index_reader.h"

namespace stratacache::disk {

namespace {

// How long a page waits on the index's writers (a reader waits only while a crashed writer's log is recovered).
constexpr int kBusyTimeoutMs = 5'000;

Status ListOnce(const std::string& index, const ListRequest& request, int64_t now_ms, std::vector<ListedEntry>* page) {
  SqliteDb db;
  Status status = db.OpenReadOnly(index, kBusyTimeoutMs);
  if (!status.ok()) return status;
  Statement listing = PrepareListing(db, &status);
  if (!status.ok()) return status;
  return ListPage(db, listing, request, now_ms, page);
}

}  // namespace

Status ListIndexPage(const std::string& folder, const ListRequest& request, int64_t now_ms,
                     std::vector<ListedEntry>* page) {
  const std::string index = IndexPath(folder);
  std::error_code error;
  if (!std::filesystem::is_regular_file(index, error)) {
    return Status(StatusCode::kNotFound, "no disk cache index at " + index);
  }
  Status status = ListOnce(index, request, now_ms, page);
  // Read as immutable (no writer's log open), the index may have been checkpointed into under the read by a
  // writer that opened meanwhile: a damaged index fails twice.
  if (status.code() == StatusCode::kCorrupt) status = ListOnce(index, request, now_ms, page);
  return status;
}

}  // namespace stratacache::disk
