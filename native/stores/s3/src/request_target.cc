#include "request_target.h"

#include "query_string.h"
#include "uri_encode.h"

namespace stratacache::s3 {
namespace {

bool IsLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

bool LooksLikeIpv4(std::string_view name) { return name.find_first_not_of("0123456789.") == std::string_view::npos; }

}  // namespace

S3Error CheckBucketName(std::string_view bucket) {
  constexpr std::string_view kAllowed = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_";
  if (bucket.size() < 3 || bucket.size() > 255 || bucket.find_first_not_of(kAllowed) != std::string_view::npos) {
    return S3Error::Make(S3ErrorKind::kInvalidArg,
                         "bad bucket name '" + std::string(bucket) + "': 3 to 255 of A-Z a-z 0-9 . - _ expected");
  }
  return S3Error::Ok();
}

bool IsVirtualHostable(std::string_view bucket, bool https) {
  if (bucket.size() < 3 || bucket.size() > 63) return false;
  if (!IsLowerAlnum(bucket.front()) || !IsLowerAlnum(bucket.back())) return false;
  for (char c : bucket) {
    if (!IsLowerAlnum(c) && c != '-' && c != '.') return false;
  }
  if (bucket.find("..") != std::string_view::npos || bucket.find(".-") != std::string_view::npos ||
      bucket.find("-.") != std::string_view::npos || LooksLikeIpv4(bucket)) {
    return false;
  }
  return !(https && bucket.find('.') != std::string_view::npos);
}

RequestTarget MakeTarget(const Endpoint& endpoint, bool force_path_style, std::string_view bucket, std::string_view key,
                         const QueryParams& query) {
  const bool virtual_hosted =
      !force_path_style && !endpoint.HostIsLiteral() && IsVirtualHostable(bucket, endpoint.https);

  RequestTarget target;
  target.host = virtual_hosted ? std::string(bucket) + '.' + endpoint.Authority() : endpoint.Authority();
  target.canonical_uri = endpoint.base_path;
  if (!virtual_hosted) target.canonical_uri += '/' + std::string(bucket);
  if (!key.empty() || virtual_hosted) target.canonical_uri += '/' + UriEncode(key, true);

  target.url = (endpoint.https ? "https://" : "http://") + target.host + target.canonical_uri;
  const std::string query_text = CanonicalQuery(query);
  if (!query_text.empty()) target.url += '?' + query_text;
  return target;
}

}  // namespace stratacache::s3
