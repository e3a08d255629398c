#include "blob_files.h"

#include "index_schema.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <random>

#define XXH_INLINE_ALL
#include <xxhash.h>

namespace stratacache::disk {

namespace fs = std::filesystem;

namespace {

constexpr auto kStaleTempAge = std::chrono::hours(1);

Status IoError(const std::string& what, int error) {
  // kQuota: the tier chain fails the set and tells the error listeners, who can free space.
  if (error == ENOSPC || error == EDQUOT) {
    return Status(StatusCode::kQuota, "disk full: " + what + ": " + std::strerror(error), false);
  }
  return Status(StatusCode::kIo, what + ": " + std::strerror(error));
}

Status WriteAll(int fd, const uint8_t* data, size_t size, const std::string& path) {
  while (size > 0) {
    ssize_t written = ::write(fd, data, size);
    if (written < 0) {
      if (errno == EINTR) continue;
      return IoError("write " + path, errno);
    }
    data += written;
    size -= static_cast<size_t>(written);
  }
  return Status::Ok();
}

Status SyncFolder(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return IoError("open " + path, errno);
  int rc = ::fsync(fd);
  int error = errno;
  ::close(fd);
  return rc == 0 ? Status::Ok() : IoError("fsync " + path, error);
}

// Temp files are named <pid>-<counter>-<random>, so a sweep can tell whether their writer still runs.
bool WriterIsGone(const std::string& name) {
  const long pid = std::strtol(name.c_str(), nullptr, 10);
  return pid > 0 && ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

}  // namespace

// Each content file ends with an XXH3-128 checksum of its bytes. Reads check it (at memory speed) rather than
// the BLAKE3 name, which would cost more than the read itself for large values; verify() checks both.
constexpr size_t kChecksumSize = sizeof(Checksum);
static_assert(kChecksumSize == kFileChecksumBytes);

Checksum ChecksumOf(const uint8_t* data, size_t size) {
  XXH128_canonical_t canonical;
  XXH128_canonicalFromHash(&canonical, XXH3_128bits(data, size));
  Checksum checksum;
  std::memcpy(checksum.data(), canonical.digest, checksum.size());
  return checksum;
}

// Reads exactly `size` bytes; false on a short file or an error.
bool ReadAll(int fd, uint8_t* out, size_t size) {
  size_t done = 0;
  while (done < size) {
    ssize_t got = ::read(fd, out + done, size - done);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return false;
    done += static_cast<size_t>(got);
  }
  return true;
}

std::optional<Blake3Digest> ParseHash(std::string_view hex) {
  Blake3Digest hash;
  if (hex.size() != hash.size() * 2) return std::nullopt;
  for (size_t i = 0; i < hash.size(); ++i) {
    int high = HexValue(hex[2 * i]), low = HexValue(hex[2 * i + 1]);
    if (high < 0 || low < 0) return std::nullopt;
    hash[i] = static_cast<uint8_t>(high << 4 | low);
  }
  return hash;
}

std::string BlobFiles::PathOf(const Blake3Digest& hash) const {
  std::string hex = Blake3::ToHex(hash);
  return root_ + "/blobs/" + hex.substr(0, 2) + "/" + hex.substr(2, 2) + "/" + hex;
}

std::string BlobFiles::NewTempPath() const {
  static std::atomic<uint64_t> counter{0};
  static const uint64_t salt = std::random_device{}();
  return root_ + "/tmp/" + std::to_string(::getpid()) + "-" + std::to_string(counter.fetch_add(1)) + "-" +
         std::to_string(salt);
}

Status BlobFiles::Prepare() const {
  std::error_code error;
  for (const char* sub : {"", "/blobs", "/tmp"}) {
    fs::create_directories(root_ + sub, error);
    if (error) return Status(StatusCode::kIo, "cannot create " + root_ + sub + ": " + error.message(), false);
  }
  const std::string probe = NewTempPath();
  int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return Status(StatusCode::kIo, "cannot write in " + root_ + ": " + std::strerror(errno), false);
  ::close(fd);
  ::unlink(probe.c_str());
  return Status::Ok();
}

uint64_t BlobFiles::SweepStaleTemp() const {
  uint64_t removed = 0;
  std::error_code error;
  const auto now = fs::file_time_type::clock::now();
  for (const auto& entry : fs::directory_iterator(root_ + "/tmp", error)) {
    std::error_code ignored;
    const auto written = entry.last_write_time(ignored);
    if (WriterIsGone(entry.path().filename().string()) || (!ignored && now - written > kStaleTempAge)) {
      removed += fs::remove_all(entry.path(), ignored) > 0 ? 1 : 0;  // directory entries are filled here too
    }
  }
  return removed;
}

Status BlobFiles::Write(const Blake3Digest& hash, const Bytes& value) const {
  std::string temp;
  Status status = WriteTemp(value, &temp);
  return status.ok() ? Place(temp, hash) : status;
}

Status BlobFiles::WriteTemp(const Bytes& value, std::string* temp) const {
  *temp = NewTempPath();
  int fd = ::open(temp->c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return IoError("create " + *temp, errno);
  const Checksum checksum = ChecksumOf(value.data(), value.size());
  Status status = WriteAll(fd, value.data(), value.size(), *temp);
  if (status.ok()) status = WriteAll(fd, checksum.data(), checksum.size(), *temp);
  if (status.ok() && strict_ && ::fsync(fd) != 0) status = IoError("fsync " + *temp, errno);
  if (::close(fd) != 0 && status.ok()) status = IoError("close " + *temp, errno);
  if (!status.ok()) ::unlink(temp->c_str());
  return status;
}

Status BlobFiles::Place(const std::string& temp, const Blake3Digest& hash) const {
  if (Exists(hash)) {
    ::unlink(temp.c_str());
    return Status::Ok();
  }
  const std::string path = PathOf(hash);
  Status status = Status::Ok();
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    if (errno != ENOENT) {
      status = IoError("rename to " + path, errno);
    } else {  // the fan-out folders do not exist yet
      std::error_code error;
      fs::create_directories(fs::path(path).parent_path(), error);
      if (::rename(temp.c_str(), path.c_str()) != 0) status = IoError("rename to " + path, errno);
    }
  }
  if (!status.ok()) {
    ::unlink(temp.c_str());
    return status;
  }
  return strict_ ? SyncFolder(fs::path(path).parent_path().string()) : Status::Ok();
}

bool BlobFiles::Exists(const Blake3Digest& hash) const {
  struct stat info;
  return ::stat(PathOf(hash).c_str(), &info) == 0;
}

Status BlobFiles::Read(const Blake3Digest& hash, std::optional<Bytes>* value) const {
  value->reset();
  const std::string path = PathOf(hash);
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return errno == ENOENT ? Status::Ok() : IoError("open " + path, errno);
  struct stat info;
  if (::fstat(fd, &info) != 0) {
    int error = errno;
    ::close(fd);
    return IoError("stat " + path, error);
  }
  const Status corrupt(StatusCode::kCorrupt, "content file " + path + " does not match its checksum", false);
  const size_t file_size = static_cast<size_t>(info.st_size);
  if (file_size < kChecksumSize) {
    ::close(fd);
    return corrupt;
  }
  std::optional<Bytes> bytes = Bytes::TryAllocate(file_size - kChecksumSize);
  if (!bytes) {
    ::close(fd);
    return Status(StatusCode::kIo, "out of memory reading " + path);
  }
  Checksum stored;
  const bool complete = ReadAll(fd, bytes->mutable_data(), bytes->size()) && ReadAll(fd, stored.data(), stored.size());
  ::close(fd);
  if (!complete || ChecksumOf(bytes->data(), bytes->size()) != stored) return corrupt;
  *value = std::move(*bytes);
  return Status::Ok();
}

bool InlineIntact(const Blake3Digest& hash, const InlineContent& content, bool thorough) {
  const auto* data = reinterpret_cast<const uint8_t*>(content.data.data());
  if (content.sum) {
    const Checksum sum = ChecksumOf(data, content.data.size());
    if (content.sum->size() != sum.size() || std::memcmp(sum.data(), content.sum->data(), sum.size()) != 0) {
      return false;
    }
    if (!thorough) return true;
  }
  return Blake3::Hash(data, content.data.size()) == hash;
}

bool BlobFiles::Intact(const Blake3Digest& hash, const std::optional<InlineContent>& inline_content) const {
  if (inline_content) return InlineIntact(hash, *inline_content, /*thorough=*/true);
  // Beyond the file's own checksum, verify() checks that the bytes are the content the file is named after.
  std::optional<Bytes> value;
  return Read(hash, &value).ok() && value.has_value() && Blake3::Hash(value->data(), value->size()) == hash;
}

void BlobFiles::Remove(const Blake3Digest& hash) const { ::unlink(PathOf(hash).c_str()); }

void BlobFiles::ForEach(const FileVisitor& visit) const {
  std::error_code error;
  for (const auto& entry : fs::recursive_directory_iterator(root_ + "/blobs", error)) {
    if (!entry.is_regular_file(error)) continue;
    const std::string path = entry.path().string();
    std::optional<Blake3Digest> hash = ParseHash(entry.path().filename().string());
    if (hash && PathOf(*hash) != path) hash.reset();
    visit(hash, path);
  }
}

void BlobFiles::RemoveAll() const {
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(root_ + "/blobs", error)) fs::remove_all(entry.path(), error);
}

}  // namespace stratacache::disk
