// Requests and results of the S3 operations. Every request names its bucket, so one client (one set of
// credentials, one endpoint) serves any number of buckets, and may carry an AbortSignal. Request members all
// have defaults ({}), so that designated initializers may leave any of them out.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "stratacache/bytes.h"
#include "stratacache/s3/abort_signal.h"

namespace stratacache::s3 {

// User metadata (x-amz-meta-NAME): names are lowercase ASCII, values printable ASCII. Encode other text (a
// UTF-8 cache key, say) before storing it here; S3 would mangle it.
using Metadata = std::vector<std::pair<std::string, std::string>>;

struct ObjectInfo {
  uint64_t size = 0;  // of the whole object, also when a range was read
  std::string etag;
  int64_t last_modified_ms = 0;  // since the Unix epoch; 0 if the service did not say
  std::string content_type;
  Metadata metadata;  // names without the x-amz-meta- prefix
  // Whether the ETag may be the MD5 of the bytes: not when KMS or a customer's key encrypts them, whose ETags
  // are something else that looks the same.
  bool etag_may_be_md5 = true;

  // The value of a metadata entry, or nullptr.
  const std::string* FindMetadata(std::string_view name) const;
};

// Bytes [offset, offset + length) of an object; without a length, to its end.
struct ByteRange {
  uint64_t offset = 0;
  std::optional<uint64_t> length{};
};

struct GetObjectRequest {
  std::string bucket{};
  std::string key{};
  std::optional<ByteRange> range{};
  std::shared_ptr<AbortSignal> signal{};
};

struct GetObjectResult {
  Bytes body;
  uint64_t offset = 0;  // where `body` starts in the object
  ObjectInfo info;
};

struct HeadObjectRequest {
  std::string bucket{};
  std::string key{};
  std::shared_ptr<AbortSignal> signal{};
};

struct HeadBucketRequest {
  std::string bucket{};
  std::shared_ptr<AbortSignal> signal{};
};

struct PutObjectRequest {
  std::string bucket{};
  std::string key{};
  Bytes body{};                // shared, never copied; multipart uploads send slices of it
  std::string content_type{};  // "application/octet-stream" when empty
  Metadata metadata{};
  // When set, a metadata entry of this name gets the body's SHA-256 (64 hex digits), hashed on the client's
  // thread (once: signing reuses it), so that a reader can check the bytes it gets back.
  std::string sha256_metadata{};
  std::shared_ptr<AbortSignal> signal{};
};

struct PutObjectResult {
  std::string etag;
  int parts = 0;  // 0 for a single request, else the number of parts uploaded
};

// A copy made by the service (x-amz-copy-source), without the bytes passing through the client; up to 5 GB.
struct CopyObjectRequest {
  std::string bucket{};
  std::string source_key{};  // in the same bucket
  std::string key{};
  std::shared_ptr<AbortSignal> signal{};
};

struct DeleteObjectRequest {
  std::string bucket{};
  std::string key{};
  std::shared_ptr<AbortSignal> signal{};
};

struct DeleteObjectsRequest {
  std::string bucket{};
  std::vector<std::string> keys{};  // any number: sent 1,000 (S3's limit) to a request
  std::shared_ptr<AbortSignal> signal{};
};

// A key a batch delete could not remove; deleting a key that does not exist is not a failure.
struct DeleteFailure {
  std::string key;
  std::string s3_code;
  std::string message;
};

struct DeleteObjectsResult {
  std::vector<DeleteFailure> failures;
};

struct ListObjectsRequest {
  std::string bucket{};
  std::string prefix{};
  std::string delimiter{};           // "/" lists one level, folding deeper keys into common prefixes
  std::string continuation_token{};  // from the previous page
  std::string start_after{};
  int max_keys = 0;  // 0: the service's default (1,000, also its maximum)
  std::shared_ptr<AbortSignal> signal{};
};

struct ObjectSummary {
  std::string key;
  uint64_t size = 0;
  std::string etag;
  int64_t last_modified_ms = 0;
};

struct ListObjectsPage {
  std::vector<ObjectSummary> objects;
  std::vector<std::string> common_prefixes;
  bool is_truncated = false;
  std::string next_continuation_token;  // set when is_truncated
};

}  // namespace stratacache::s3
