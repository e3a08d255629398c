#include "sigv4_signer.h"

#include <algorithm>
#include <cctype>
#include <ctime>
#include <map>

#include "crypto.h"
#include "query_string.h"

namespace stratacache::s3 {
namespace {

std::string Lowercase(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower;
}

// Trims the value and folds each run of white space inside it to one space, as SigV4 requires.
std::string CanonicalValue(std::string_view value) {
  std::string folded;
  bool in_space = false;
  for (char c : value) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      in_space = true;
      continue;
    }
    if (in_space && !folded.empty()) folded += ' ';
    in_space = false;
    folded += c;
  }
  return folded;
}

}  // namespace

Signature SignV4(const SigningRequest& request, const SigningScope& scope, const Credentials& credentials) {
  // Sorted by lowercase name; repeated names join their values with commas.
  std::map<std::string, std::string> headers;
  for (const HttpHeader& header : request.headers) {
    std::string& value = headers[Lowercase(header.name)];
    if (!value.empty()) value += ',';
    value += CanonicalValue(header.value);
  }

  Signature result;
  std::string canonical_headers;
  for (const auto& [name, value] : headers) {
    canonical_headers += name + ':' + value + '\n';
    if (!result.signed_headers.empty()) result.signed_headers += ';';
    result.signed_headers += name;
  }

  result.canonical_request = std::string(request.method) + '\n' + std::string(request.canonical_uri) + '\n' +
                             CanonicalQuery(request.query) + '\n' + canonical_headers + '\n' + result.signed_headers +
                             '\n' + std::string(request.payload_hash);

  const std::string date(scope.amz_date.substr(0, 8));
  const std::string credential_scope =
      date + '/' + std::string(scope.region) + '/' + std::string(scope.service) + "/aws4_request";
  result.string_to_sign = "AWS4-HMAC-SHA256\n" + std::string(scope.amz_date) + '\n' + credential_scope + '\n' +
                          Sha256Hex(result.canonical_request);

  std::string key = HmacSha256("AWS4" + credentials.secret_access_key, date);
  key = HmacSha256(key, scope.region);
  key = HmacSha256(key, scope.service);
  key = HmacSha256(key, "aws4_request");
  result.signature = HexEncode(HmacSha256(key, result.string_to_sign));

  result.authorization = "AWS4-HMAC-SHA256 Credential=" + credentials.access_key_id + '/' + credential_scope +
                         ", SignedHeaders=" + result.signed_headers + ", Signature=" + result.signature;
  return result;
}

std::string AmzDate(int64_t unix_ms) {
  const std::time_t seconds = static_cast<std::time_t>(unix_ms / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[17];
  std::strftime(text, sizeof(text), "%Y%m%dT%H%M%SZ", &utc);
  return text;
}

}  // namespace stratacache::s3
