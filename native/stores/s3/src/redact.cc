#include "redact.h"

#include <algorithm>
#include <cctype>
#include <vector>

#include "crypto.h"
#include "uri_encode.h"

namespace stratacache::s3 {
namespace {

// Shorter encodings of a secret than this are not searched for: they could match innocent text.
constexpr size_t kMinEncodedSize = 6;

std::string Upper(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::toupper(c); });
  return text;
}

// `encoded` with the hex digits of its %XY escapes in lowercase.
std::string LowerEscapes(std::string encoded) {
  for (size_t at = encoded.find('%'); at != std::string::npos; at = encoded.find('%', at + 1)) {
    for (size_t i = at + 1; i < std::min(at + 3, encoded.size()); ++i) {
      encoded[i] = static_cast<char>(std::tolower(static_cast<unsigned char>(encoded[i])));
    }
  }
  return encoded;
}

// The base64 characters that depend on `secret` alone when it starts `offset` (0, 1 or 2) bytes into the
// encoded text: the same whatever surrounds it.
std::string Base64Core(std::string_view secret, size_t offset) {
  const std::string encoded = Base64(std::string(offset, '\0') + std::string(secret));
  const size_t first = (8 * offset + 5) / 6;
  const size_t last = 8 * (offset + secret.size()) / 6;
  return last > first ? encoded.substr(first, last - first) : std::string();
}

std::string UrlSafe(std::string base64) {
  std::replace(base64.begin(), base64.end(), '+', '-');
  std::replace(base64.begin(), base64.end(), '/', '_');
  return base64;
}

std::string JsonEscaped(std::string_view secret) {
  std::string escaped;
  for (char c : secret) {
    if (c == '/' || c == '"' || c == '\\') escaped += '\\';
    escaped += c;
  }
  return escaped;
}

// The secret as is, then its encodings long enough not to match innocent text.
std::vector<std::string> Encodings(std::string_view secret) {
  std::vector<std::string> forms = {JsonEscaped(secret), HexEncode(secret), Upper(HexEncode(secret))};
  for (std::string encoded : {UriEncode(secret, false), UriEncode(UriEncode(secret, false), false)}) {
    forms.push_back(LowerEscapes(encoded));
    forms.push_back(std::move(encoded));
  }
  for (size_t offset = 0; offset < 3; ++offset) {
    std::string core = Base64Core(secret, offset);
    forms.push_back(UrlSafe(core));
    forms.push_back(std::move(core));
  }
  std::erase_if(forms, [](const std::string& form) { return form.size() < kMinEncodedSize; });
  forms.emplace_back(secret);
  // Longest first, so that a longer form is not first cut into pieces a shorter one no longer matches.
  std::sort(forms.begin(), forms.end(), [](const auto& a, const auto& b) { return a.size() > b.size(); });
  forms.erase(std::unique(forms.begin(), forms.end()), forms.end());
  return forms;
}

}  // namespace

std::string Redact(std::string text, std::initializer_list<std::string_view> secrets) {
  constexpr std::string_view kMark = "[redacted]";
  for (std::string_view secret : secrets) {
    if (secret.empty()) continue;
    for (const std::string& form : Encodings(secret)) {
      for (size_t at = text.find(form); at != std::string::npos; at = text.find(form, at + kMark.size())) {
        text.replace(at, form.size(), kMark);
      }
    }
  }
  return text;
}

}  // namespace stratacache::s3
