#include "stratacache/s3/s3_error.h"

namespace stratacache::s3 {

const char* S3ErrorKindName(S3ErrorKind kind) {
  switch (kind) {
    case S3ErrorKind::kOk:
      return "OK";
    case S3ErrorKind::kInvalidArg:
      return "INVALID_ARG";
    case S3ErrorKind::kNotFound:
      return "NOT_FOUND";
    case S3ErrorKind::kNoSuchBucket:
      return "NO_SUCH_BUCKET";
    case S3ErrorKind::kAuth:
      return "AUTH";
    case S3ErrorKind::kRejected:
      return "REJECTED";
    case S3ErrorKind::kThrottled:
      return "THROTTLED";
    case S3ErrorKind::kServer:
      return "SERVER";
    case S3ErrorKind::kTimeout:
      return "TIMEOUT";
    case S3ErrorKind::kIo:
      return "IO";
    case S3ErrorKind::kAborted:
      return "ABORTED";
    case S3ErrorKind::kClosed:
      return "CLOSED";
  }
  return "UNKNOWN";
}

std::string S3Error::ToString() const {
  std::string text = std::string(S3ErrorKindName(kind)) + ": " + message;
  if (!request_id.empty()) text += " (request id " + request_id + ")";
  if (attempts > 1) text += " after " + std::to_string(attempts) + " attempts";
  return text;
}

Status S3Error::ToStatus() const {
  // The core has no codes yet for auth, timeout, abort or a missing bucket; until it does they travel as the
  // nearest code with the kind spelled out in the message.
  switch (kind) {
    case S3ErrorKind::kOk:
      return Status::Ok();
    case S3ErrorKind::kInvalidArg:
      return Status(StatusCode::kInvalidArg, ToString());
    case S3ErrorKind::kClosed:
      return Status(StatusCode::kClosed, ToString());
    case S3ErrorKind::kAuth:
    case S3ErrorKind::kNoSuchBucket:
    case S3ErrorKind::kThrottled:
      return Status(StatusCode::kUnavailable, ToString());
    default:
      return Status(StatusCode::kIo, ToString());
  }
}

}  // namespace stratacache::s3
