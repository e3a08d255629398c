#include "redact.h"

namespace stratacache::s3 {

std::string Redact(std::string text, std::initializer_list<std::string_view> secrets) {
  constexpr std::string_view kMark = "[redacted]";
  for (std::string_view secret : secrets) {
    if (secret.empty()) continue;
    for (size_t at = text.find(secret); at != std::string::npos; at = text.find(secret, at + kMark.size())) {
      text.replace(at, secret.size(), kMark);
    }
  }
  return text;
}

}  // namespace stratacache::s3
