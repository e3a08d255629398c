// HTTP outcomes to S3 errors, and the redaction that keeps secrets out of their messages.
#include "response_classifier.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <vector>

#include "crypto.h"
#include "redact.h"
#include "uri_encode.h"

namespace stratacache::s3 {
namespace {

HttpResponse Response(int status, std::string body = "", HttpHeaders headers = {}) {
  HttpResponse response;
  response.status = status;
  response.body = Bytes::Copy(body);
  response.headers = std::move(headers);
  return response;
}

std::string ErrorBody(const std::string& code) {
  return "<Error><Code>" + code + "</Code><Message>says " + code + "</Message><RequestId>BODYID</RequestId></Error>";
}

HttpResponse Broken(TransportError transport) {
  HttpResponse response;
  response.transport = transport;
  response.transport_message = "curl said so";
  return response;
}

TEST(ClassifyResponse, SuccessIsOk) {
  EXPECT_TRUE(ClassifyResponse(Response(200), Subject::kObject).ok());
  EXPECT_TRUE(ClassifyResponse(Response(204), Subject::kObject).ok());
  EXPECT_TRUE(ClassifyResponse(Response(206), Subject::kObject).ok());
}

TEST(ClassifyResponse, AuthFailuresKeepCodeAndRequestId) {
  const S3Error error = ClassifyResponse(
      Response(403, ErrorBody("SignatureDoesNotMatch"), {{"x-amz-request-id", "HEADERID"}}), Subject::kObject);
  EXPECT_EQ(error.kind, S3ErrorKind::kAuth);
  EXPECT_EQ(error.s3_code, "SignatureDoesNotMatch");
  EXPECT_EQ(error.request_id, "HEADERID");
  EXPECT_EQ(error.http_status, 403);
  EXPECT_FALSE(error.retryable);
  EXPECT_EQ(error.message, "HTTP 403 SignatureDoesNotMatch: says SignatureDoesNotMatch");

  EXPECT_EQ(ClassifyResponse(Response(403, ErrorBody("InvalidAccessKeyId")), Subject::kObject).request_id, "BODYID");
  EXPECT_EQ(ClassifyResponse(Response(400, ErrorBody("ExpiredToken")), Subject::kObject).kind, S3ErrorKind::kAuth);
  EXPECT_EQ(ClassifyResponse(Response(403), Subject::kObject).kind, S3ErrorKind::kAuth) << "a HEAD has no body";
}

TEST(ClassifyResponse, NotFoundTellsAMissingBucketFromAMissingKey) {
  EXPECT_EQ(ClassifyResponse(Response(404, ErrorBody("NoSuchKey")), Subject::kObject).kind, S3ErrorKind::kNotFound);
  EXPECT_EQ(ClassifyResponse(Response(404, ErrorBody("NoSuchBucket")), Subject::kObject).kind,
            S3ErrorKind::kNoSuchBucket);
  EXPECT_EQ(ClassifyResponse(Response(404), Subject::kObject).kind, S3ErrorKind::kNotFound);
  EXPECT_EQ(ClassifyResponse(Response(404), Subject::kBucket).kind, S3ErrorKind::kNoSuchBucket);
  EXPECT_FALSE(ClassifyResponse(Response(404), Subject::kObject).retryable);
}

TEST(ClassifyResponse, ServerTroubleAndThrottlingAreRetryable) {
  for (int status : {500, 502, 503, 504}) {
    const S3Error error = ClassifyResponse(Response(status), Subject::kObject);
    EXPECT_EQ(error.kind, S3ErrorKind::kServer) << status;
    EXPECT_TRUE(error.retryable) << status;
  }
  EXPECT_EQ(ClassifyResponse(Response(503, ErrorBody("SlowDown")), Subject::kObject).kind, S3ErrorKind::kThrottled);
  const S3Error throttled = ClassifyResponse(Response(429), Subject::kObject);
  EXPECT_EQ(throttled.kind, S3ErrorKind::kThrottled);
  EXPECT_TRUE(throttled.retryable);
  const S3Error request_timeout = ClassifyResponse(Response(400, ErrorBody("RequestTimeout")), Subject::kObject);
  EXPECT_EQ(request_timeout.kind, S3ErrorKind::kTimeout);
  EXPECT_TRUE(request_timeout.retryable);
  EXPECT_FALSE(ClassifyResponse(Response(501), Subject::kObject).retryable);
}

TEST(ClassifyResponse, OtherClientErrorsAreRejectionsNotRetried) {
  for (int status : {301, 400, 409, 412, 416}) {
    const S3Error error = ClassifyResponse(Response(status, ErrorBody("Whatever")), Subject::kObject);
    EXPECT_EQ(error.kind, S3ErrorKind::kRejected) << status;
    EXPECT_FALSE(error.retryable) << status;
  }
}

TEST(ClassifyResponse, TransportFailures) {
  EXPECT_EQ(ClassifyResponse(Broken(TransportError::kTimeout), Subject::kObject).kind, S3ErrorKind::kTimeout);
  EXPECT_TRUE(ClassifyResponse(Broken(TransportError::kTimeout), Subject::kObject).retryable);
  for (TransportError retryable : {TransportError::kConnect, TransportError::kBroken}) {
    const S3Error error = ClassifyResponse(Broken(retryable), Subject::kObject);
    EXPECT_EQ(error.kind, S3ErrorKind::kIo);
    EXPECT_TRUE(error.retryable);
    EXPECT_EQ(error.message, "curl said so");
  }
  EXPECT_FALSE(ClassifyResponse(Broken(TransportError::kTls), Subject::kObject).retryable);
  EXPECT_EQ(ClassifyResponse(Broken(TransportError::kCancelled), Subject::kObject).kind, S3ErrorKind::kAborted);
}

TEST(ClassifyResponse, ReadsNothingButCodeMessageAndIdFromTheBody) {
  const S3Error error = ClassifyResponse(
      Response(403,
               "<Error><Code>SignatureDoesNotMatch</Code><Message>m</Message>"
               "<StringToSign>AWS4-HMAC-SHA256 secret-ish</StringToSign>"
               "<SignatureProvided>deadbeef</SignatureProvided><AWSAccessKeyId>AKID</AWSAccessKeyId></Error>"),
      Subject::kObject);
  EXPECT_EQ(error.message.find("deadbeef"), std::string::npos);
  EXPECT_EQ(error.message.find("AKID"), std::string::npos);
  EXPECT_EQ(error.message.find("StringToSign"), std::string::npos);
}

TEST(Redact, ReplacesEverySecret) {
  EXPECT_EQ(Redact("key=SECRET token=TOK SECRET", {"SECRET", "TOK", ""}), "key=[redacted] token=[redacted] [redacted]");
  EXPECT_EQ(Redact("nothing here", {"SECRET"}), "nothing here");
  EXPECT_EQ(Redact("aaaa", {"a"}), "[redacted][redacted][redacted][redacted]") << "no rescanning of the mark";
}

// A service may echo a secret in any encoding; every form a test can think of is caught, inside longer text.
TEST(Redact, FindsASecretInEveryEncodingAServiceMightEchoItIn) {
  const std::string secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
  auto lower_escapes = [](std::string text) {
    for (size_t at = text.find('%'); at != std::string::npos; at = text.find('%', at + 1)) {
      text[at + 1] = static_cast<char>(std::tolower(text[at + 1]));
      text[at + 2] = static_cast<char>(std::tolower(text[at + 2]));
    }
    return text;
  };
  std::string hex_upper = HexEncode(secret);
  for (char& c : hex_upper) c = static_cast<char>(std::toupper(c));
  std::string json = secret;
  json.replace(json.find('/'), 1, "\\/");
  const std::vector<std::string> echoes = {secret,
                                           UriEncode(secret, false),
                                           lower_escapes(UriEncode(secret, false)),
                                           UriEncode(UriEncode(secret, false), false),
                                           json,
                                           HexEncode(secret),
                                           hex_upper};
  for (const std::string& echo : echoes) {
    SCOPED_TRACE(echo);
    const std::string redacted = Redact("<Message>was " + echo + ", signed</Message>", {secret});
    EXPECT_EQ(redacted, "<Message>was [redacted], signed</Message>");
  }
  // In base64 the secret's characters depend on where it starts; whatever the alignment, none of its middle
  // survives, in either alphabet.
  for (const std::string before : {"", "a", "ab", "Authorization: "}) {
    const std::string encoded = Base64(before + secret + " and more");
    const size_t middle = 8 * (before.size() + secret.size() / 2) / 6;
    std::string url_safe = encoded;
    std::replace(url_safe.begin(), url_safe.end(), '+', '-');
    std::replace(url_safe.begin(), url_safe.end(), '/', '_');
    for (const std::string& text : {encoded, url_safe}) {
      SCOPED_TRACE(text);
      const std::string redacted = Redact(text, {secret});
      EXPECT_NE(redacted.find("[redacted]"), std::string::npos);
      EXPECT_EQ(redacted.find(text.substr(middle - 4, 8)), std::string::npos);
    }
  }
}

TEST(S3Error, StatusKeepsTheKindReadable) {
  S3Error error = S3Error::Make(S3ErrorKind::kAuth, "HTTP 403 AccessDenied");
  error.request_id = "RID";
  error.attempts = 1;
  const Status status = error.ToStatus();
  EXPECT_FALSE(status.ok());
  EXPECT_EQ(status.message(), "AUTH: HTTP 403 AccessDenied (request id RID)");
  EXPECT_TRUE(S3Error::Ok().ToStatus().ok());
  EXPECT_EQ(S3Error::Make(S3ErrorKind::kInvalidArg, "x").ToStatus().code(), StatusCode::kInvalidArg);
  EXPECT_EQ(S3Error::Make(S3ErrorKind::kClosed, "x").ToStatus().code(), StatusCode::kClosed);
  EXPECT_EQ(status.code(), StatusCode::kAuth);
  EXPECT_EQ(S3Error::Make(S3ErrorKind::kTimeout, "x").ToStatus().code(), StatusCode::kTimeout);
  EXPECT_EQ(S3Error::Make(S3ErrorKind::kAborted, "x").ToStatus().code(), StatusCode::kAborted);
  EXPECT_EQ(S3Error::Make(S3ErrorKind::kNoSuchBucket, "x").ToStatus().code(), StatusCode::kNotFound);
  S3Error reset = S3Error::Make(S3ErrorKind::kIo, "x");
  reset.retryable = true;
  EXPECT_TRUE(reset.ToStatus().retryable());
  EXPECT_FALSE(S3Error::Make(S3ErrorKind::kRejected, "x").ToStatus().retryable()) << "the client's verdict wins";
}

}  // namespace
}  // namespace stratacache::s3
