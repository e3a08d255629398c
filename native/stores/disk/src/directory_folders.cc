#include "directory_folders.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <filesystem>
#include <random>
#include <vector>

namespace stratacache::disk {

namespace fs = std::filesystem;

namespace {

constexpr uint64_t kBlock = 4096;

Status FolderError(const std::string& what, const std::error_code& error) {
  return Status(StatusCode::kIo, what + ": " + error.message());
}

Status Fsync(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status(StatusCode::kIo, "open " + path + ": " + std::strerror(errno));
  const int rc = ::fsync(fd);
  const int error = errno;
  ::close(fd);
  return rc == 0 ? Status::Ok() : Status(StatusCode::kIo, "fsync " + path + ": " + std::strerror(error));
}

}  // namespace

Status DirectoryFolders::Prepare() const {
  std::error_code error;
  fs::create_directories(root_ + "/dirs", error);
  return error ? FolderError("cannot create " + root_ + "/dirs", error) : Status::Ok();
}

std::string DirectoryFolders::NewTempPath() const {
  static std::atomic<uint64_t> counter{0};
  static const uint64_t salt = std::random_device{}();
  return root_ + "/tmp/" + std::to_string(::getpid()) + "-d" + std::to_string(counter.fetch_add(1)) + "-" +
         std::to_string(salt);
}

Status DirectoryFolders::CreateTemp(std::string* path) const {
  *path = NewTempPath();
  std::error_code error;
  fs::create_directory(*path, error);
  return error ? FolderError("cannot create " + *path, error) : Status::Ok();
}

Status DirectoryFolders::Measure(const std::string& path, FolderSize* size) const {
  *size = FolderSize{};
  Status synced = strict_ ? Fsync(path) : Status::Ok();
  std::error_code error;
  fs::recursive_directory_iterator it(path, error), end;
  for (; !error && synced.ok() && it != end; it.increment(error)) {
    if (it->is_symlink(error)) continue;
    const bool folder = it->is_directory(error);
    if (strict_ && (folder || it->is_regular_file(error))) synced = Fsync(it->path().string());
    if (folder || !it->is_regular_file(error)) continue;
    const uint64_t bytes = it->file_size(error);
    size->bytes += bytes;
    size->charge += (bytes + kBlock - 1) / kBlock * kBlock;
  }
  if (error) return FolderError("cannot walk " + path, error);
  return synced;
}

Status DirectoryFolders::Place(const std::string& temp_path, std::string* name) const {
  *name = fs::path(temp_path).filename().string();
  const std::string path = PathOf(*name);
  if (::rename(temp_path.c_str(), path.c_str()) != 0) {
    return Status(StatusCode::kIo, "rename " + temp_path + " to " + path + ": " + std::strerror(errno));
  }
  return strict_ ? Fsync(root_ + "/dirs") : Status::Ok();
}

void DirectoryFolders::Remove(const std::string& name) const {
  const std::string doomed = NewTempPath();
  std::error_code ignored;
  fs::rename(PathOf(name), doomed, ignored);
  fs::remove_all(ignored ? PathOf(name) : doomed, ignored);
}

void DirectoryFolders::RemoveTemp(const std::string& temp_path) const {
  std::error_code ignored;
  fs::remove_all(temp_path, ignored);
}

bool DirectoryFolders::Exists(const std::string& name) const {
  std::error_code ignored;
  return fs::is_directory(PathOf(name), ignored);
}

void DirectoryFolders::ForEach(const std::function<void(const std::string& name)>& visit) const {
  // Listed first, so that `visit` may remove what it is given.
  std::vector<std::string> names;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(root_ + "/dirs", error)) names.push_back(entry.path().filename());
  for (const std::string& name : names) visit(name);
}

std::string DirectoryFolders::NameOf(const std::string& path) const {
  const std::string prefix = root_ + "/dirs/";
  if (path.size() <= prefix.size() || path.compare(0, prefix.size(), prefix) != 0) return {};
  std::string name = path.substr(prefix.size());
  return name.find('/') == std::string::npos && name != "." && name != ".." ? name : std::string();
}

bool DirectoryHolds::Release(const std::string& name) {
  auto held = held_.find(name);
  if (held == held_.end() || --held->second > 0) return false;
  held_.erase(held);
  return doomed_.erase(name) > 0;
}

}  // namespace stratacache::disk
