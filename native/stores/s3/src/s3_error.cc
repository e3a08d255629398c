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
  switch (kind) {
    case S3ErrorKind::kOk:
      return Status::Ok();
    case S3ErrorKind::kInvalidArg:
      return Status(StatusCode::kInvalidArg, ToString(), false);
    case S3ErrorKind::kClosed:
      return Status(StatusCode::kClosed, ToString(), false);
    case S3ErrorKind::kAuth:
      return Status(StatusCode::kAuth, ToString(), retryable);
    case S3ErrorKind::kTimeout:
      return Status(StatusCode::kTimeout, ToString(), retryable);
    case S3ErrorKind::kAborted:
      return Status(StatusCode::kAborted, ToString(), false);
    case S3ErrorKind::kNotFound:
    case S3ErrorKind::kNoSuchBucket:
      return Status(StatusCode::kNotFound, ToString(), retryable);
    default:  // throttled, rejected, server, io: the kind stays readable in the message
      return Status(StatusCode::kIo, ToString(), retryable);
  }
}

}  // namespace stratacache::s3
