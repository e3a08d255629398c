#include "stratacache/named_blobs.h"

#include <cstring>
#include <string_view>

namespace stratacache {

namespace {

constexpr std::string_view kMagic = "SCNB";
constexpr uint8_t kVersion = 1;
constexpr size_t kMaxNameBytes = 0xffff;
constexpr size_t kHeaderBytes = 4 + 1 + 4;
constexpr size_t kNameLengthBytes = 2;
constexpr size_t kBlobLengthBytes = 8;

void PutLittleEndian(uint8_t* out, uint64_t value, size_t bytes) {
  for (size_t i = 0; i < bytes; ++i) out[i] = static_cast<uint8_t>(value >> (8 * i));
}

// Reads the frame front to back; every read checks the bytes are there.
class Reader {
 public:
  explicit Reader(const Bytes& bytes) : data_(bytes.data()), left_(bytes.size()) {}

  bool Integer(size_t bytes, uint64_t* value) {
    if (left_ < bytes) return false;
    *value = 0;
    for (size_t i = 0; i < bytes; ++i) *value |= static_cast<uint64_t>(data_[i]) << (8 * i);
    Skip(bytes);
    return true;
  }
  bool Span(uint64_t size, const uint8_t** at) {
    if (left_ < size) return false;
    *at = data_;
    Skip(static_cast<size_t>(size));
    return true;
  }
  bool done() const { return left_ == 0; }

 private:
  void Skip(size_t bytes) {
    data_ += bytes;
    left_ -= bytes;
  }

  const uint8_t* data_;
  size_t left_;
};

Status Corrupt(const std::string& why) { return Status(StatusCode::kCorrupt, "not a named-blobs frame: " + why); }

}  // namespace

Status EncodeNamedBlobs(const NamedBlobs& blobs, Bytes* framed) {
  size_t size = kHeaderBytes;
  for (const auto& [name, blob] : blobs) {
    if (name.empty() || name.size() > kMaxNameBytes) {
      return Status(StatusCode::kInvalidArg, "a blob name must be 1 to 65535 UTF-8 bytes");
    }
    size += kNameLengthBytes + name.size() + kBlobLengthBytes + blob.size();
  }
  Bytes out = Bytes::Allocate(size);
  uint8_t* at = out.mutable_data();
  std::memcpy(at, kMagic.data(), kMagic.size());
  at[4] = kVersion;
  PutLittleEndian(at + 5, blobs.size(), 4);
  at += kHeaderBytes;
  for (const auto& [name, blob] : blobs) {  // a std::map: already in byte order of the names
    PutLittleEndian(at, name.size(), kNameLengthBytes);
    std::memcpy(at + kNameLengthBytes, name.data(), name.size());
    at += kNameLengthBytes + name.size();
    PutLittleEndian(at, blob.size(), kBlobLengthBytes);
    if (!blob.empty()) std::memcpy(at + kBlobLengthBytes, blob.data(), blob.size());
    at += kBlobLengthBytes + blob.size();
  }
  *framed = std::move(out);
  return Status::Ok();
}

Status DecodeNamedBlobs(const Bytes& framed, NamedBlobs* blobs) {
  Reader reader(framed);
  const uint8_t* magic = nullptr;
  uint64_t version = 0;
  uint64_t count = 0;
  if (!reader.Span(kMagic.size(), &magic) || std::memcmp(magic, kMagic.data(), kMagic.size()) != 0) {
    return Corrupt("no magic");
  }
  if (!reader.Integer(1, &version) || version != kVersion) return Corrupt("unknown version");
  if (!reader.Integer(4, &count)) return Corrupt("truncated header");
  NamedBlobs decoded;
  for (uint64_t i = 0; i < count; ++i) {
    uint64_t name_size = 0;
    uint64_t blob_size = 0;
    const uint8_t* name = nullptr;
    const uint8_t* blob = nullptr;
    if (!reader.Integer(kNameLengthBytes, &name_size) || name_size == 0 || !reader.Span(name_size, &name) ||
        !reader.Integer(kBlobLengthBytes, &blob_size) || !reader.Span(blob_size, &blob)) {
      return Corrupt("truncated blob " + std::to_string(i));
    }
    std::string key(reinterpret_cast<const char*>(name), name_size);
    if (!decoded.empty() && decoded.rbegin()->first >= key) return Corrupt("names out of order");
    decoded.emplace_hint(decoded.end(), std::move(key), Bytes::Copy(blob, blob_size));
  }
  if (!reader.done()) return Corrupt("bytes after the last blob");
  *blobs = std::move(decoded);
  return Status::Ok();
}

}  // namespace stratacache
