// Turns an HTTP exchange into an S3Error: what went wrong, whether a retry may help, the service's error code
// and request id. The error document is read only for its code, message and request id.
#pragma once

#include "http_types.h"
#include "stratacache/s3/s3_error.h"

namespace stratacache::s3 {

// What a 404 without an error code (the answer to a HEAD, which has no body) means.
enum class Subject { kObject, kBucket };

S3Error ClassifyResponse(const HttpResponse& response, Subject subject);

}  // namespace stratacache::s3
