// A service endpoint, "http(s)://host[:port][/base]", parsed once when a client is made.
#pragma once

#include <string>
#include <string_view>

#include "stratacache/s3/s3_error.h"

namespace stratacache::s3 {

struct Endpoint {
  bool https = true;
  std::string host;       // lowercase; an IPv6 address keeps its brackets
  int port = 0;           // 0: the scheme's default
  std::string base_path;  // "" or "/base", without a trailing slash; S3 behind a path prefix

  // Fails with kInvalidArg for another scheme, user info, a query or fragment, or a bad port.
  static S3Result<Endpoint> Parse(std::string_view url);

  // "host" or "host:port", as the Host header carries it.
  std::string Authority() const;
  // Whether the host is an IP address or localhost, which cannot take a bucket as a subdomain.
  bool HostIsLiteral() const;
};

}  // namespace stratacache::s3
