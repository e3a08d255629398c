#include "object_requests.h"

#include <algorithm>
#include <charconv>

#include "crypto.h"
#include "s3_time.h"
#include "s3_xml.h"
#include "uri_encode.h"

namespace stratacache::s3 {
namespace {

constexpr std::string_view kMetadataPrefix = "x-amz-meta-";

uint64_t ParseNumber(std::string_view text) {
  uint64_t value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value);
  return value;
}

ObjectInfo InfoFromHeaders(const HttpResponse& response) {
  ObjectInfo info;
  info.size = ParseNumber(response.Header("content-length"));
  info.etag = response.Header("etag");
  info.last_modified_ms = ParseHttpDateMs(response.Header("last-modified"));
  info.content_type = response.Header("content-type");
  const std::string_view encryption = response.Header("x-amz-server-side-encryption");
  info.etag_may_be_md5 = (encryption.empty() || encryption == "AES256") &&
                         response.Header("x-amz-server-side-encryption-customer-algorithm").empty();
  for (const HttpHeader& header : response.headers) {
    if (header.name.starts_with(kMetadataPrefix)) {
      info.metadata.emplace_back(header.name.substr(kMetadataPrefix.size()), header.value);
    }
  }
  return info;
}

// "bytes START-END/TOTAL" of a 206 response; TOTAL may be "*" when the service does not know it.
struct ContentRange {
  uint64_t start = 0;
  uint64_t end = 0;
  std::optional<uint64_t> total;
};

std::optional<ContentRange> ParseContentRange(std::string_view text) {
  if (!text.starts_with("bytes ")) return std::nullopt;
  text.remove_prefix(6);
  const size_t dash = text.find('-');
  const size_t slash = text.find('/');
  if (dash == std::string_view::npos || slash == std::string_view::npos || dash > slash) return std::nullopt;
  ContentRange range;
  range.start = ParseNumber(text.substr(0, dash));
  range.end = ParseNumber(text.substr(dash + 1, slash - dash - 1));
  if (text.substr(slash + 1) != "*") range.total = ParseNumber(text.substr(slash + 1));
  if (range.end < range.start) return std::nullopt;
  return range;
}

std::string RangeHeader(const ByteRange& range) {
  std::string value = "bytes=" + std::to_string(range.offset) + '-';
  if (range.length) value += std::to_string(range.offset + *range.length - 1);
  return value;
}

S3Error Malformed(const std::string& what) { return S3Error::Make(S3ErrorKind::kServer, what); }

// The result of a GET from its 2xx response. A service that ignores the Range header and sends the whole object
// (200) is answered from the right slice of it, so a caller never receives bytes it did not ask for.
S3Result<GetObjectResult> ReadGetResponse(const std::optional<ByteRange>& range, HttpResponse& response) {
  GetObjectResult result;
  result.info = InfoFromHeaders(response);
  if (response.status == 206) {
    auto content_range = ParseContentRange(response.Header("content-range"));
    const bool asked = range && content_range && content_range->start == range->offset &&
                       (!range->length || content_range->end - content_range->start < *range->length);
    if (!content_range || content_range->end - content_range->start + 1 != response.body.size() || !asked) {
      return {Malformed("the service sent a range other than the one asked for")};
    }
    result.offset = content_range->start;
    result.info.size = content_range->total.value_or(content_range->end + 1);
    result.body = std::move(response.body);
    return {S3Error::Ok(), std::move(result)};
  }
  result.info.size = response.body.size();
  if (!range || (range->offset == 0 && (!range->length || *range->length >= response.body.size()))) {
    result.body = std::move(response.body);
    return {S3Error::Ok(), std::move(result)};
  }
  if (range->offset >= response.body.size()) {
    return {S3Error::Make(S3ErrorKind::kRejected, "the range starts past the end of the object")};
  }
  const uint64_t available = response.body.size() - range->offset;
  result.offset = range->offset;
  result.body =
      Bytes::Copy(response.body.data() + range->offset, std::min(range->length.value_or(available), available));
  return {S3Error::Ok(), std::move(result)};
}

}  // namespace

std::string BodySha256(const PutObjectRequest& request) {
  return request.sha256_metadata.empty() ? std::string() : Sha256Hex(request.body.view());
}

HttpHeaders NewObjectHeaders(const PutObjectRequest& request, const std::string& body_sha256) {
  HttpHeaders headers = {
      {"content-type", request.content_type.empty() ? "application/octet-stream" : request.content_type}};
  for (const auto& [name, value] : request.metadata) headers.push_back({std::string(kMetadataPrefix) + name, value});
  if (!body_sha256.empty()) headers.push_back({std::string(kMetadataPrefix) + request.sha256_metadata, body_sha256});
  return headers;
}

void RunGetObject(RequestRunner& runner, GetObjectRequest request, S3Callback<GetObjectResult> done) {
  S3Call call{.method = "GET", .bucket = request.bucket, .key = request.key, .signal = request.signal};
  if (request.range) call.headers.push_back({"range", RangeHeader(*request.range)});
  runner.Run(std::move(call), [range = request.range, done = std::move(done)](S3Error error, HttpResponse response) {
    if (!error.ok()) return done({std::move(error)});
    S3Result<GetObjectResult> result = ReadGetResponse(range, response);
    result.error.attempts = error.attempts;
    done(std::move(result));
  });
}

void RunHeadObject(RequestRunner& runner, HeadObjectRequest request, S3Callback<ObjectInfo> done) {
  S3Call call{.method = "HEAD", .bucket = request.bucket, .key = request.key, .signal = request.signal};
  runner.Run(std::move(call), [done = std::move(done)](S3Error error, HttpResponse response) {
    if (!error.ok()) return done({std::move(error)});
    done({std::move(error), InfoFromHeaders(response)});
  });
}

void RunHeadBucket(RequestRunner& runner, HeadBucketRequest request, S3DoneCallback done) {
  S3Call call{.method = "HEAD", .bucket = request.bucket, .subject = Subject::kBucket, .signal = request.signal};
  runner.Run(std::move(call), [done = std::move(done)](S3Error error, HttpResponse) { done(std::move(error)); });
}

void RunPutObject(RequestRunner& runner, PutObjectRequest request, S3Callback<PutObjectResult> done) {
  std::string sha256 = BodySha256(request);
  S3Call call{.method = "PUT",
              .bucket = request.bucket,
              .key = request.key,
              .headers = NewObjectHeaders(request, sha256),
              .body = BodySlice::Whole(request.body),
              .signal = request.signal,
              .body_sha256 = std::move(sha256)};
  runner.Run(std::move(call), [done = std::move(done)](S3Error error, HttpResponse response) {
    if (!error.ok()) return done({std::move(error)});
    done({std::move(error), PutObjectResult{std::string(response.Header("etag")), 0}});
  });
}

void RunCopyObject(RequestRunner& runner, CopyObjectRequest request, S3Callback<PutObjectResult> done) {
  S3Call call{.method = "PUT",
              .bucket = request.bucket,
              .key = request.key,
              .headers = {{"x-amz-copy-source", UriEncode(request.bucket + '/' + request.source_key, true)}},
              .signal = request.signal};
  runner.Run(std::move(call), [&runner, done = std::move(done)](S3Error error, HttpResponse response) {
    // The service may fail a copy after it has answered 200, with an <Error> document as the body.
    if (error.ok()) {
      if (std::optional<ErrorDocument> document = ParseErrorDocument(response.body.view())) {
        error = S3Error::Make(S3ErrorKind::kServer,
                              runner.Redacted("CopyObject failed: " + document->code + ": " + document->message));
        error.s3_code = runner.Redacted(document->code);
        error.request_id = runner.Redacted(document->request_id);
      }
    }
    if (!error.ok()) return done({std::move(error)});
    done({std::move(error), PutObjectResult{ParseCopiedEtag(response.body.view()), 0}});
  });
}

void RunDeleteObject(RequestRunner& runner, DeleteObjectRequest request, S3DoneCallback done) {
  S3Call call{.method = "DELETE", .bucket = request.bucket, .key = request.key, .signal = request.signal};
  runner.Run(std::move(call), [done = std::move(done)](S3Error error, HttpResponse) { done(std::move(error)); });
}

}  // namespace stratacache::s3
