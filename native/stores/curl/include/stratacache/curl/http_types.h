// Plain descriptions of HTTP requests and responses, shared by the transfer loop, the S3 client and the http()
// tier. Nothing here knows libcurl.
#pragma once

#include <cstdint>
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

// The time a request's deadline grows by for each whole MiB of body it sends or is announced: a floor of 1 MiB/s
// that a timeout meant for a silent server does not fail a large value moving steadily.
inline constexpr int64_t kDeadlineMsPerMiB = 1000;
inline constexpr uint64_t kMiB = uint64_t{1} << 20;

// Built with designated initializers; every member has a default so that any may be left out.
struct HttpRequest {
  std::string method{};
  std::string url{};
  HttpHeaders headers{};  // sent as given; curl adds only Content-Length
  BodySlice body{};
  bool follow_redirects = false;  // up to a few, http(s) only
  // When the transfer fails with kTimeout, waiting in line included, on the loop's clock (CurlLoop::NowMs);
  // 0: never. A body on its way gets more time: `ms_per_mib` for each MiB the response announces.
  int64_t deadline_ms = 0;
  int64_t ms_per_mib = 0;
};

// Why a request got no complete response.
enum class TransportError {
  kNone,
  kTimeout,    // the request's deadline passed
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
