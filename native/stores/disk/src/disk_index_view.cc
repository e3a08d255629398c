#include "stratacache/disk/disk_index_view.h"

#include <filesystem>

#include "index_reader.h"

namespace stratacache::disk {

Status ListIndexPage(const std::string& folder, const ListRequest& request, int64_t now_ms,
                     std::vector<ListedEntry>* page) {
  const std::string index = IndexPath(folder);
  std::error_code error;
  if (!std::filesystem::is_regular_file(index, error)) {
    return Status(StatusCode::kNotFound, "no disk cache index at " + index);
  }
  SqliteDb db;
  Status status = db.OpenReadOnly(index);
  if (!status.ok()) return status;
  Statement listing = PrepareListing(db, &status);
  if (!status.ok()) return status;
  return ListPage(db, listing, request, now_ms, page);
}

}  // namespace stratacache::disk
