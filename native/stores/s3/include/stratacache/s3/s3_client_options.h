// What an S3Client is built from. The first group says where and as whom; any part left empty is looked up the
// way the AWS SDKs do (see ResolveSettings in s3_settings.h). The second group says how requests are made.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "stratacache/s3/retry_policy.h"

namespace stratacache::s3 {

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // empty unless the credentials are temporary (STS)
};

inline constexpr uint64_t kMiB = uint64_t{1} << 20;
// S3 refuses parts smaller than this, except the last part of an upload.
inline constexpr uint64_t kMinPartSize = 5 * kMiB;

struct S3ClientOptions {
  std::string region;                      // e.g. "eu-west-1"
  std::string endpoint;                    // "http(s)://host[:port][/base]"; AWS's own endpoint when resolved empty
  std::optional<bool> force_path_style;    // address the bucket in the path, not the host name (default false)
  std::optional<Credentials> credentials;  // wins over the environment and the shared files
  std::string profile;                     // a profile of the shared files; else AWS_PROFILE, else "default"
  std::string ca_file;                     // PEM certificates to trust over HTTPS instead of the system's

  // The longest one operation takes, from the call to its callback, whatever the service does (silence, a
  // stalled or trickling body), retries and their backoff included; it fails with kTimeout then. It grows by
  // curl::kDeadlineMsPerMiB for each MiB sent, or announced by the response, so a large body may keep moving.
  // A multipart upload is one operation; each page of ListAllObjects is one.
  int64_t timeout_ms = 10'000;
  int max_concurrent_requests = 16;      // requests on the wire at once; more wait in line
  RetryPolicy retry;
  uint64_t multipart_threshold = 16 * kMiB;  // PUT bodies at least this large are uploaded in parts
  uint64_t multipart_part_size = 8 * kMiB;   // at least kMinPartSize
  int multipart_concurrency = 4;             // parts of one upload in flight at once
  // Bodies are hashed (SHA-256, on the client's thread) into the signature. false sends UNSIGNED-PAYLOAD
  // instead: no hashing, integrity left to TLS.
  bool sign_payload = true;
};

}  // namespace stratacache::s3
