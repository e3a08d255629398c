#include "endpoint.h"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace stratacache::s3 {
namespace {

S3Result<Endpoint> Invalid(std::string_view url, const std::string& why) {
  return {S3Error::Make(S3ErrorKind::kInvalidArg, "bad S3 endpoint '" + std::string(url) + "': " + why)};
}

bool StartsWithNoCase(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() && std::equal(prefix.begin(), prefix.end(), text.begin(), [](char a, char b) {
           return std::tolower(static_cast<unsigned char>(b)) == a;
         });
}

bool IsIpv4(std::string_view host) {
  int parts = 0;
  while (!host.empty()) {
    const size_t dot = host.find('.');
    const std::string_view part = host.substr(0, dot);
    int value = -1;
    auto [end, error] = std::from_chars(part.data(), part.data() + part.size(), value);
    if (error != std::errc() || end != part.data() + part.size() || value > 255) return false;
    ++parts;
    host = dot == std::string_view::npos ? std::string_view() : host.substr(dot + 1);
  }
  return parts == 4;
}

}  // namespace

S3Result<Endpoint> Endpoint::Parse(std::string_view url) {
  Endpoint endpoint;
  std::string_view rest;
  if (StartsWithNoCase(url, "https://")) {
    rest = url.substr(8);
  } else if (StartsWithNoCase(url, "http://")) {
    endpoint.https = false;
    rest = url.substr(7);
  } else {
    return Invalid(url, "it must start with http:// or https://");
  }
  if (rest.find_first_of("?#") != std::string_view::npos) return Invalid(url, "no query or fragment allowed");

  const size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
  if (authority.find('@') != std::string_view::npos) return Invalid(url, "no user info allowed");

  // An IPv6 host is bracketed; the port, if any, follows the last colon after the host.
  const size_t host_end = authority.starts_with('[') ? authority.find(']') + 1 : authority.find(':');
  if (host_end == 0) return Invalid(url, "unclosed '[' in the host");
  std::string_view host = authority.substr(0, host_end);
  std::string_view port = host_end >= authority.size() ? std::string_view() : authority.substr(host_end);
  if (host.empty()) return Invalid(url, "no host");
  if (!port.empty()) {
    if (port.front() != ':') return Invalid(url, "unexpected text after the host");
    port.remove_prefix(1);
    auto [end, error] = std::from_chars(port.data(), port.data() + port.size(), endpoint.port);
    if (error != std::errc() || end != port.data() + port.size() || endpoint.port < 1 || endpoint.port > 65535) {
      return Invalid(url, "bad port");
    }
    if (endpoint.port == (endpoint.https ? 443 : 80)) endpoint.port = 0;
  }
  endpoint.host.resize(host.size());
  std::transform(host.begin(), host.end(), endpoint.host.begin(),
                 [](char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); });
  while (path.ends_with('/')) path.remove_suffix(1);
  endpoint.base_path = std::string(path);
  return {S3Error::Ok(), std::move(endpoint)};
}

std::string Endpoint::Authority() const { return port == 0 ? host : host + ':' + std::to_string(port); }

bool Endpoint::HostIsLiteral() const { return host.starts_with('[') || IsIpv4(host) || host == "localhost"; }

}  // namespace stratacache::s3
