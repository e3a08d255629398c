#include "stratacache/status.h"

namespace stratacache {

const char* StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return "OK";
    case StatusCode::kInvalidArg: return "ERR_INVALID_ARG";
    case StatusCode::kTooLarge: return "ERR_TOO_LARGE";
    case StatusCode::kIo: return "ERR_IO";
    case StatusCode::kCorrupt: return "ERR_CORRUPT";
    case StatusCode::kClosed: return "ERR_CLOSED";
    case StatusCode::kUnavailable: return "ERR_UNAVAILABLE";
    case StatusCode::kAuth: return "ERR_S3_AUTH";
    case StatusCode::kTimeout: return "ERR_TIMEOUT";
    case StatusCode::kAborted: return "ERR_ABORTED";
    case StatusCode::kNotFound: return "ERR_NOT_FOUND";
    case StatusCode::kQuota: return "ERR_QUOTA";
    case StatusCode::kLoader: return "ERR_LOADER";
    case StatusCode::kNoLibrary: return "ERR_MISSING_LIBRARY";
    case StatusCode::kUnsupported: return "ERR_UNSUPPORTED";
  }
  return "ERR_UNKNOWN";
}

}  // namespace stratacache
