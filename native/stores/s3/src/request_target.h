// Where a request for a bucket and key goes: the URL, the Host header and the path that is signed.
//
// Virtual-hosted style puts the bucket in the host name (bucket.s3.eu-west-1.amazonaws.com/key); path style puts
// it first in the path (host/bucket/key). Path style is used when asked for (force_path_style), when the endpoint
// is an IP address or localhost, and when the bucket name cannot be a host name label (or would break the TLS
// certificate's wildcard: dots over HTTPS), as the AWS SDKs do.
#pragma once

#include <string>
#include <string_view>

#include "endpoint.h"
#include "http_types.h"
#include "stratacache/s3/s3_error.h"

namespace stratacache::s3 {

struct RequestTarget {
  std::string url;
  std::string host;           // the Host header
  std::string canonical_uri;  // the path exactly as sent, percent-encoded
};

// Bucket names S3 accepts, legacy ones included: 3 to 255 of A-Z a-z 0-9 . - _. Anything else could change the
// request's path or host, so it is refused before anything is sent.
S3Error CheckBucketName(std::string_view bucket);
bool IsVirtualHostable(std::string_view bucket, bool https);

// `key` may be empty for requests on the bucket itself.
RequestTarget MakeTarget(const Endpoint& endpoint, bool force_path_style, std::string_view bucket, std::string_view key,
                         const QueryParams& query);

}  // namespace stratacache::s3
