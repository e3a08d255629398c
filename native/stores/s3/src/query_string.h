// The canonical query string of SigV4, which is also what requests send: names and values percent-encoded,
// sorted by name then value, each pair as "name=value" (empty values keep the '='), joined with '&'.
#pragma once

#include <string>

#include "http_types.h"

namespace stratacache::s3 {

std::string CanonicalQuery(const QueryParams& query);

}  // namespace stratacache::s3
