// Arguments refused before anything is sent, each with an error that says why (kind kInvalidArg).
#pragma once

#include <string_view>

#include "stratacache/s3/s3_error.h"
#include "stratacache/s3/s3_types.h"

namespace stratacache::s3 {

// S3's limit on a key, in UTF-8 bytes.
inline constexpr size_t kMaxObjectKeyBytes = 1024;

S3Error CheckBucketAndKey(std::string_view bucket, std::string_view key);
// Printable ASCII only: no CR or LF to split a header, nothing S3 would mangle.
S3Error CheckHeaderValue(std::string_view what, std::string_view value);
// Names of lowercase letters, digits, '-' and '_'; values as CheckHeaderValue.
S3Error CheckMetadata(const Metadata& metadata);
S3Error CheckRange(const ByteRange& range);

}  // namespace stratacache::s3
