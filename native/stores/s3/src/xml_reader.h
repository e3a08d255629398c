// A small streaming reader over expat for the documents S3 sends. Each element is reported by its path of local
// names ("ListBucketResult/Contents/Key"): once when it starts, and once when it ends, with its text.
//
// Safety: a document with a DOCTYPE is refused outright (S3 never sends one), which shuts out entity expansion
// ("billion laughs") and external entities; only XML's predefined and numeric character references remain.
// Namespaces are dropped from names, so prefixed and unprefixed documents read the same.
#pragma once

#include <functional>
#include <string>
#include <string_view>

namespace stratacache::s3 {

struct XmlHandlers {
  std::function<void(std::string_view path)> on_start;  // may be empty
  std::function<void(std::string_view path, std::string_view text)> on_end;
};

// Returns "" on success, else what was wrong with the document.
std::string ReadXml(std::string_view document, const XmlHandlers& handlers);

}  // namespace stratacache::s3
