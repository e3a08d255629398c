// Keeps secrets out of text that leaves the client (error messages, codes, request ids). Messages are built only
// from the service's error code and message and from libcurl's description, neither of which should hold a
// secret; this is the second line of defence against a service or proxy that echoes one back, in whatever
// encoding: as is, percent-encoded (once or twice, either case of hex), JSON-escaped, in hex (either case), or
// in base64 (standard or URL-safe, at any alignment within a longer encoded text).
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

namespace stratacache::s3 {

// `text` with every occurrence of each non-empty secret, in each of the encodings above, replaced by
// "[redacted]".
std::string Redact(std::string text, std::initializer_list<std::string_view> secrets);

}  // namespace stratacache::s3
