// Keeps secrets out of text that leaves the client (error messages). Messages are built only from the service's
// error code and message and from libcurl's description, neither of which should hold a secret; this is the
// second line of defence against a service or proxy that echoes one back.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

namespace stratacache::s3 {

// `text` with every occurrence of each non-empty secret replaced by "[redacted]".
std::string Redact(std::string text, std::initializer_list<std::string_view> secrets);

}  // namespace stratacache::s3
