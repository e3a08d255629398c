// Plain descriptions of HTTP requests and responses, shared by the transfer loop, the S3 client and the http()
// tier. Nothing here knows libcurl.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "stratacache/bytes.h"

namespace stratacache::curl {

struct HttpHeader {
  std::string name;
  std::string value;
};
using HttpHeaders = std::vector<HttpHeader>;
// Query parameters, names and values not yet encoded. Sent in canonical form, so "uploads" goes as "uploads=".
using QueryParams = std::vector<std::pair<std::string, std::string>>;

// A window onto bytes shared with the caller, so that a multipart upload sends slices of one buffer uncopied.
struct BodySlice {
  Bytes bytes;
  size_t offset = 0;
  size_t size = 0;

  static BodySlice Whole(Bytes bytes) {
    const size_t size = bytes.size();
    return {std::move(bytes), 0, size};
  }
  std::string_view view() const { return bytes.view().substr(offset, size); }
};

// Built with designated initializers; every member has a default so that any may be left out.
struct HttpRequest {
  std::string method{};
  std::string url{};
  HttpHeaders headers{};  // sent as given; curl adds only Content-Length
  BodySlice body{};
  bool follow_redirects = false;  // up to a few, http(s) only
};

// Why a request got no complete response.
enum class TransportError {
  kNone,
  kTimeout,    // connect or whole-request timeout
  kConnect,    // could not resolve or connect
  kBroken,     // reset, closed early, truncated body: the response may have been cut short
  kTls,        // certificate or handshake refused; retrying will not help
  kCancelled,  // the transfer was cancelled by the client
  kOther,
};

struct HttpResponse {
  TransportError transport = TransportError::kNone;
  std::string transport_message;  // libcurl's description when transport != kNone
  int status = 0;
  HttpHeaders headers;  // names lowercased
  Bytes body;

  // The first value of a header (name in lowercase), or "".
  std::string_view Header(std::string_view name) const {
    for (const HttpHeader& header : headers) {
      if (header.name == name) return header.value;
    }
    return {};
  }
};

}  // namespace stratacache::curl
