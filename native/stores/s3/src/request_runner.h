// One S3 request as the operations above see it: addressed, signed, sent, retried with backoff while its
// failure is retryable, it is idempotent and its deadline leaves time for another attempt, cancelled by its
// AbortSignal or by the client closing, and completed exactly once, always on the loop thread and never before
// Run() returns.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <unordered_map>

#include "endpoint.h"
#include "http_types.h"
#include "request_target.h"
#include "response_classifier.h"
#include "stratacache/s3/abort_signal.h"
#include "stratacache/s3/s3_client_options.h"
#include "stratacache/s3/s3_error.h"

namespace stratacache::s3 {

// Built with designated initializers; every member has a default so that any may be left out.
struct S3Call {
  std::string method{};
  std::string bucket{};
  std::string key{};  // empty for requests on the bucket itself
  QueryParams query{};
  HttpHeaders headers{};  // beyond host, x-amz-date, x-amz-content-sha256, x-amz-security-token, authorization
  BodySlice body{};
  bool idempotent = true;
  Subject subject = Subject::kObject;
  std::shared_ptr<AbortSignal> signal{};
  // When the call fails with kTimeout, on CurlLoop::NowMs(); 0: the runner's DeadlineFor(body) from now.
  int64_t deadline_ms = 0;
  std::string body_sha256{};  // the body's SHA-256 in hex, when the caller has it already; else computed here
};

// On success `response` is the 2xx response; on failure it is the last one received (maybe empty).
using CallDone = std::function<void(S3Error error, HttpResponse response)>;

struct RunnerSettings {
  Endpoint endpoint;
  bool force_path_style = false;
  std::string region;
  Credentials credentials;
  RetryPolicy retry;
  bool sign_payload = true;
  int64_t timeout_ms = 0;  // see S3ClientOptions::timeout_ms
};

class RequestRunner : public std::enable_shared_from_this<RequestRunner> {
 public:
  RequestRunner(std::shared_ptr<CurlLoop> loop, RunnerSettings settings);

  // Loop thread only.
  void Run(S3Call call, CallDone done);
  // Loop thread only. Completes every open request with kClosed; requests run later go out as usual.
  void CancelAll();
  // Loop thread only. Completes every open request with kClosed; requests run later complete so at once.
  void CloseAll();

  CurlLoop& loop() { return *loop_; }
  // `text` from the service, fit to leave the client: without the credentials or `signature`, in any encoding.
  std::string Redacted(std::string text, std::string_view signature = {}) const;
  // The deadline of an operation starting now that sends `body_bytes`.
  int64_t DeadlineFor(uint64_t body_bytes) const;

 private:
  struct Pending;

  void Send(const std::shared_ptr<Pending>& pending);
  void OnResponse(uint64_t id, HttpResponse response);
  void Abort(uint64_t id);
  void Complete(uint64_t id, S3Error error, HttpResponse response);
  // Completes `done` from a task of its own, keeping the promise never to complete inside Run().
  void CompleteLater(CallDone done, S3Error error);

  const std::shared_ptr<CurlLoop> loop_;
  const RunnerSettings settings_;
  bool closing_ = false;
  uint64_t next_id_ = 1;
  std::unordered_map<uint64_t, std::shared_ptr<Pending>> pending_;
  std::mt19937_64 random_{std::random_device{}()};
};

}  // namespace stratacache::s3
