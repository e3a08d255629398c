#include "request_checks.h"

#include <limits>
#include <string>

#include "request_target.h"

namespace stratacache::s3 {
namespace {

S3Error Invalid(std::string message) { return S3Error::Make(S3ErrorKind::kInvalidArg, std::move(message)); }

}  // namespace

S3Error CheckBucketAndKey(std::string_view bucket, std::string_view key) {
  if (S3Error error = CheckBucketName(bucket); !error.ok()) return error;
  if (key.empty()) return Invalid("the object key is empty");
  if (key.size() > kMaxObjectKeyBytes) return Invalid("the object key is longer than 1024 bytes");
  return S3Error::Ok();
}

S3Error CheckMetadata(const Metadata& metadata) {
  for (const auto& [name, value] : metadata) {
    const bool good_name =
        !name.empty() && name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-_") == std::string::npos;
    if (!good_name) return Invalid("bad metadata name '" + name + "': use a-z 0-9 - _");
    if (S3Error error = CheckHeaderValue("metadata '" + name + "'", value); !error.ok()) return error;
  }
  return S3Error::Ok();
}

S3Error CheckHeaderValue(std::string_view what, std::string_view value) {
  for (unsigned char c : value) {
    if (c < 0x20 || c > 0x7e) return Invalid(std::string(what) + " holds a byte that is not printable ASCII");
  }
  return S3Error::Ok();
}

S3Error CheckRange(const ByteRange& range) {
  if (range.length && *range.length == 0) return Invalid("an empty byte range");
  if (range.length && *range.length - 1 > std::numeric_limits<uint64_t>::max() - range.offset) {
    return Invalid("the byte range ends past 2^64");
  }
  return S3Error::Ok();
}

}  // namespace stratacache::s3
