#include "response_classifier.h"

#include <optional>

#include "s3_xml.h"

namespace stratacache::s3 {
namespace {

S3Error FromTransport(const HttpResponse& response) {
  S3Error error;
  error.retryable = true;
  switch (response.transport) {
    case TransportError::kTimeout:
      error.kind = S3ErrorKind::kTimeout;
      break;
    case TransportError::kCancelled:
      error.kind = S3ErrorKind::kAborted;
      error.retryable = false;
      break;
    case TransportError::kTls:
    case TransportError::kOther:
      error.kind = S3ErrorKind::kIo;
      error.retryable = false;
      break;
    default:
      error.kind = S3ErrorKind::kIo;
  }
  error.message = response.transport_message;
  return error;
}

bool IsAuthCode(const std::string& code) {
  return code == "SignatureDoesNotMatch" || code == "InvalidAccessKeyId" || code == "ExpiredToken" ||
         code == "InvalidToken" || code == "TokenRefreshRequired" || code == "AuthorizationHeaderMalformed" ||
         code == "AccessDenied" || code == "RequestTimeTooSkewed";
}

// The kind and retryability of an HTTP error status with the service's code.
void Classify(int status, const std::string& code, Subject subject, S3Error& error) {
  error.retryable = false;
  if (status == 401 || status == 403 || IsAuthCode(code)) {
    error.kind = S3ErrorKind::kAuth;
  } else if (code == "NoSuchBucket" || (status == 404 && code.empty() && subject == Subject::kBucket)) {
    error.kind = S3ErrorKind::kNoSuchBucket;
  } else if (status == 404) {
    error.kind = S3ErrorKind::kNotFound;
  } else if (status == 408 || code == "RequestTimeout") {
    error.kind = S3ErrorKind::kTimeout;
    error.retryable = true;
  } else if (status == 429 || code == "SlowDown" || code == "Throttling") {
    error.kind = S3ErrorKind::kThrottled;
    error.retryable = true;
  } else if (status == 501) {
    error.kind = S3ErrorKind::kRejected;
  } else if (status >= 500) {
    error.kind = S3ErrorKind::kServer;
    error.retryable = true;
  } else if (status >= 300 && status < 500) {
    error.kind = S3ErrorKind::kRejected;  // a redirect here means the bucket lives in another region
  } else {
    error.kind = S3ErrorKind::kServer;
  }
}

}  // namespace

S3Error ClassifyResponse(const HttpResponse& response, Subject subject) {
  if (response.transport != TransportError::kNone) return FromTransport(response);
  if (response.status >= 200 && response.status < 300) return S3Error::Ok();

  S3Error error;
  error.http_status = response.status;
  error.request_id = std::string(response.Header("x-amz-request-id"));
  std::string service_message;
  if (std::optional<ErrorDocument> document = ParseErrorDocument(response.body.view())) {
    error.s3_code = document->code;
    service_message = document->message;
    if (error.request_id.empty()) error.request_id = document->request_id;
  }
  Classify(response.status, error.s3_code, subject, error);
  error.message = "HTTP " + std::to_string(response.status);
  if (!error.s3_code.empty()) error.message += " " + error.s3_code;
  if (!service_message.empty()) error.message += ": " + service_message;
  return error;
}

}  // namespace stratacache::s3
