// AWS Signature Version 4 over request headers, as S3 reads it: the path is signed exactly as sent (S3 neither
// normalises nor double-encodes it), the payload hash is given by the caller (a hex SHA-256 or
// "UNSIGNED-PAYLOAD"). The intermediate strings are kept so that tests can compare them with AWS's examples.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "http_types.h"
#include "stratacache/s3/s3_client_options.h"

namespace stratacache::s3 {

inline constexpr char kUnsignedPayload[] = "UNSIGNED-PAYLOAD";

struct SigningRequest {
  std::string_view method;
  std::string_view canonical_uri;  // the path as sent, percent-encoded
  const QueryParams& query;
  const HttpHeaders& headers;  // all signed: host, x-amz-date, x-amz-security-token when there is one, ...
  std::string_view payload_hash;
};

struct SigningScope {
  std::string_view amz_date;  // "20130524T000000Z", also sent as x-amz-date
  std::string_view region;
  std::string_view service;
};

struct Signature {
  std::string canonical_request;
  std::string string_to_sign;
  std::string signed_headers;  // "host;range;x-amz-date"
  std::string signature;       // 64 hex digits
  std::string authorization;   // the Authorization header's value
};

Signature SignV4(const SigningRequest& request, const SigningScope& scope, const Credentials& credentials);

// The ISO 8601 basic form SigV4 uses, from milliseconds since the Unix epoch.
std::string AmzDate(int64_t unix_ms);

}  // namespace stratacache::s3
