// The two timestamp forms S3 uses, as milliseconds since the Unix epoch; 0 when the text is not understood.
#pragma once

#include <cstdint>
#include <string_view>

namespace stratacache::s3 {

// Listings: "2009-10-12T17:50:30.000Z".
int64_t ParseIso8601Ms(std::string_view text);
// Headers (Last-Modified): "Wed, 21 Oct 2015 07:28:00 GMT".
int64_t ParseHttpDateMs(std::string_view text);

}  // namespace stratacache::s3
