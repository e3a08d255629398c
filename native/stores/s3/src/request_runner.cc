#include "request_runner.h"

#include <algorithm>
#include <vector>

#include "crypto.h"
#include "redact.h"
#include "sigv4_signer.h"
#include "stratacache/clock.h"

namespace stratacache::s3 {

struct RequestRunner::Pending {
  uint64_t id = 0;
  S3Call call;
  CallDone done;
  RequestTarget target;
  std::string payload_hash;
  std::string last_signature;  // redacted from messages with the other secrets
  int attempts = 0;
  int64_t deadline_ms = 0;
  uint64_t transfer_id = 0;  // 0 while no attempt is on the wire
  uint64_t listener_id = 0;
};

RequestRunner::RequestRunner(std::shared_ptr<CurlLoop> loop, RunnerSettings settings)
    : loop_(std::move(loop)), settings_(std::move(settings)) {}

int64_t RequestRunner::DeadlineFor(uint64_t body_bytes) const {
  const auto mib = static_cast<int64_t>(body_bytes / curl::kMiB);
  return CurlLoop::NowMs() + settings_.timeout_ms + mib * curl::kDeadlineMsPerMiB;
}

void RequestRunner::Run(S3Call call, CallDone done) {
  if (closing_) return CompleteLater(std::move(done), S3Error::Make(S3ErrorKind::kClosed, "the S3 client is closed"));
  if (call.signal && call.signal->aborted()) {
    return CompleteLater(std::move(done), S3Error::Make(S3ErrorKind::kAborted, "aborted before it was sent"));
  }
  auto pending = std::make_shared<Pending>();
  pending->id = next_id_++;
  pending->target = MakeTarget(settings_.endpoint, settings_.force_path_style, call.bucket, call.key, call.query);
  const std::string_view body = call.body.view();
  pending->deadline_ms = call.deadline_ms != 0 ? call.deadline_ms : DeadlineFor(body.size());
  if (!settings_.sign_payload && !body.empty()) {
    pending->payload_hash = kUnsignedPayload;
  } else {
    pending->payload_hash = call.body_sha256.empty() ? Sha256Hex(body) : call.body_sha256;
  }
  pending->call = std::move(call);
  pending->done = std::move(done);
  pending_.emplace(pending->id, pending);

  if (const auto& signal = pending->call.signal) {
    // Runs on whichever thread aborts; the runner may be gone by then.
    pending->listener_id = signal->AddListener([weak = weak_from_this(), id = pending->id] {
      const std::shared_ptr<RequestRunner> self = weak.lock();
      if (!self) return;
      self->loop_->Post([weak, id] {
        if (auto runner = weak.lock()) runner->Abort(id);
      });
    });
  }
  Send(pending);
}

void RequestRunner::Send(const std::shared_ptr<Pending>& pending) {
  ++pending->attempts;
  const S3Call& call = pending->call;
  const std::string amz_date = AmzDate(SystemClock().NowMs());
  HttpHeaders headers = {
      {"host", pending->target.host}, {"x-amz-date", amz_date}, {"x-amz-content-sha256", pending->payload_hash}};
  if (!settings_.credentials.session_token.empty()) {
    headers.push_back({"x-amz-security-token", settings_.credentials.session_token});
  }
  headers.insert(headers.end(), call.headers.begin(), call.headers.end());

  const Signature signature =
      SignV4({call.method, pending->target.canonical_uri, call.query, headers, pending->payload_hash},
             {amz_date, settings_.region, "s3"}, settings_.credentials);
  pending->last_signature = signature.signature;
  headers.push_back({"authorization", signature.authorization});

  pending->transfer_id =
      loop_->StartTransfer(HttpRequest{.method = call.method,
                                       .url = pending->target.url,
                                       .headers = std::move(headers),
                                       .body = call.body,
                                       .deadline_ms = pending->deadline_ms,
                                       .ms_per_mib = curl::kDeadlineMsPerMiB},
                           [this, id = pending->id](HttpResponse response) { OnResponse(id, std::move(response)); });
}

void RequestRunner::OnResponse(uint64_t id, HttpResponse response) {
  auto it = pending_.find(id);
  if (it == pending_.end()) return;  // aborted or closed while on the wire
  std::shared_ptr<Pending> pending = it->second;
  pending->transfer_id = 0;

  S3Error error = ClassifyResponse(response, pending->call.subject);
  if (!closing_ && settings_.retry.ShouldRetry(error, pending->call.idempotent, pending->attempts)) {
    const double unit = std::uniform_real_distribution<double>(0.0, 1.0)(random_);
    const int64_t backoff_ms = settings_.retry.BackoffMs(pending->attempts, unit);
    if (CurlLoop::NowMs() + backoff_ms < pending->deadline_ms) {  // else no time is left to try again
      loop_->RunAfter(backoff_ms, [this, id] {
        if (auto again = pending_.find(id); again != pending_.end()) Send(again->second);
      });
      return;
    }
  }
  Complete(id, std::move(error), std::move(response));
}

void RequestRunner::Abort(uint64_t id) {
  Complete(id, S3Error::Make(S3ErrorKind::kAborted, "aborted"), HttpResponse());
}

void RequestRunner::CancelAll() {
  // In the order they were run: ids count up (and a completion may run more requests, which stay open).
  std::vector<uint64_t> open;
  for (const auto& [id, pending] : pending_) open.push_back(id);
  std::sort(open.begin(), open.end());
  for (uint64_t id : open) {
    Complete(id, S3Error::Make(S3ErrorKind::kClosed, "the S3 client closed before it was answered"), HttpResponse());
  }
}

void RequestRunner::CloseAll() {
  closing_ = true;
  CancelAll();
}

void RequestRunner::Complete(uint64_t id, S3Error error, HttpResponse response) {
  auto it = pending_.find(id);
  if (it == pending_.end()) return;
  std::shared_ptr<Pending> pending = std::move(it->second);
  pending_.erase(it);
  if (pending->transfer_id != 0) loop_->CancelTransfer(pending->transfer_id);
  if (pending->listener_id != 0) pending->call.signal->RemoveListener(pending->listener_id);

  error.attempts = pending->attempts;
  if (error.kind == S3ErrorKind::kTimeout && error.http_status == 0) {
    error.message += " (timeout " + std::to_string(settings_.timeout_ms) + " ms)";
  }
  if (!error.ok()) {
    const S3Call& call = pending->call;
    error.message = call.method + " s3://" + call.bucket + "/" + call.key + ": " + error.message;
    for (std::string* text : {&error.message, &error.s3_code, &error.request_id}) {
      *text = Redacted(std::move(*text), pending->last_signature);
    }
  }
  pending->done(std::move(error), std::move(response));
}

std::string RequestRunner::Redacted(std::string text, std::string_view signature) const {
  const Credentials& secrets = settings_.credentials;
  return Redact(std::move(text), {secrets.secret_access_key, secrets.session_token, secrets.access_key_id, signature});
}

void RequestRunner::CompleteLater(CallDone done, S3Error error) {
  loop_->Post([done = std::move(done), error = std::move(error)]() mutable { done(std::move(error), HttpResponse()); });
}

}  // namespace stratacache::s3
