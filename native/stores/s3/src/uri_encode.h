// Percent-encoding as SigV4 defines it: every byte but A-Z a-z 0-9 - _ . ~ becomes %XY (uppercase hex). Object
// keys keep their '/' separators in paths; query names and values encode them.
#pragma once

#include <string>
#include <string_view>

namespace stratacache::s3 {

std::string UriEncode(std::string_view text, bool keep_slashes);
// Undoes form encoding ("%XY" and '+' for space), as S3 applies to listings asked for with encoding-type=url.
// Malformed escapes are kept as they are.
std::string FormDecode(std::string_view text);

}  // namespace stratacache::s3
