// The outcome of an S3 request. Richer than the core's Status: callers need to tell a miss from a missing bucket
// from refused credentials, and to know whether trying again may help. ToStatus() is the one place that maps
// these kinds onto the core's codes.
#pragma once

#include <functional>
#include <string>
#include <utility>

#include "stratacache/status.h"

namespace stratacache::s3 {

enum class S3ErrorKind {
  kOk,
  kInvalidArg,    // the request could not be made as asked (bad key, range, option); nothing was sent
  kNotFound,      // no such object or multipart upload: a miss for a cache, not a failure
  kNoSuchBucket,  // the bucket does not exist
  kAuth,          // credentials refused: 401/403, SignatureDoesNotMatch, InvalidAccessKeyId, expired token
  kRejected,      // another 4xx: the service understood the request and refused it
  kThrottled,     // 429, SlowDown: the service asks for less traffic
  kServer,        // 5xx, or a response this client cannot read
  kTimeout,       // connect or whole-request timeout
  kIo,            // the connection failed: refused, reset, truncated body
  kAborted,       // the caller's AbortSignal fired
  kClosed,        // the client shut down before the request finished
};

// A stable name for logs and for the JavaScript error code mapping ("NOT_FOUND", "AUTH", ...).
const char* S3ErrorKindName(S3ErrorKind kind);

struct S3Error {
  S3ErrorKind kind = S3ErrorKind::kOk;
  int http_status = 0;     // 0 when no response arrived
  std::string s3_code;     // the service's error code ("NoSuchKey", "SignatureDoesNotMatch"), if any
  std::string request_id;  // x-amz-request-id, for the service's support
  bool retryable = false;  // whether the same request may succeed later
  int attempts = 0;        // requests sent, retries included
  std::string message;     // for people; never holds a key, token, signature or signed URL

  static S3Error Ok() { return S3Error(); }
  static S3Error Make(S3ErrorKind kind, std::string message) {
    S3Error error;
    error.kind = kind;
    error.message = std::move(message);
    return error;
  }

  bool ok() const { return kind == S3ErrorKind::kOk; }
  // "KIND: message (request id ...) after N attempts", for logs; the message already names status and code.
  std::string ToString() const;
  // The core's nearest code; the kind stays readable in the message.
  Status ToStatus() const;
};

// A value, or the error that prevented it (then the value is default-constructed).
template <class T>
struct S3Result {
  S3Error error;
  T value{};

  bool ok() const { return error.ok(); }
};

// Completions of the client's operations; they run on the client's thread.
template <class T>
using S3Callback = std::function<void(S3Result<T>)>;
using S3DoneCallback = std::function<void(S3Error)>;

}  // namespace stratacache::s3
