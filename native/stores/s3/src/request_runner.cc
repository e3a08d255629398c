#include "request_runner.h"

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
  uint64_t transfer_id = 0;  // 0 while no attempt is on the wire
  uint64_t listener_id = 0;
};

RequestRunner::RequestRunner(std::shared_ptr<CurlLoop> loop, RunnerSettings settings)
    : loop_(std::move(loop)), settings_(std::move(settings)) {}

void RequestRunner::Run(S3Call call, CallDone done) {
  if (closing_) return CompleteLater(std::move(done), S3Error::Make(S3ErrorKind::kClosed, "the S3 client is closed"));
  if (call.signal && call.signal->aborted()) {
    return CompleteLater(std::move(done), S3Error::Make(S3ErrorKind::kAborted, "aborted before it was sent"));
  }
  auto pending = std::make_shared<Pending>();
  pending->id = next_id_++;
  pending->target = MakeTarget(settings_.endpoint, settings_.force_path_style, call.bucket, call.key, call.query);
  const std::string_view body = call.body.view();
  pending->payload_hash = settings_.sign_payload || body.empty() ? Sha256Hex(body) : kUnsignedPayload;
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
      loop_->StartTransfer(HttpRequest{call.method, pending->target.url, std::move(headers), call.body},
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
    loop_->RunAfter(settings_.retry.BackoffMs(pending->attempts, unit), [this, id] {
      if (auto again = pending_.find(id); again != pending_.end()) Send(again->second);
    });
    return;
  }
  Complete(id, std::move(error), std::move(response));
}

void RequestRunner::Abort(uint64_t id) {
  Complete(id, S3Error::Make(S3ErrorKind::kAborted, "aborted"), HttpResponse());
}

void RequestRunner::CloseAll() {
  closing_ = true;
  while (!pending_.empty()) {
    Complete(pending_.begin()->first, S3Error::Make(S3ErrorKind::kClosed, "the S3 client closed"), HttpResponse());
  }
}

void RequestRunner::Complete(uint64_t id, S3Error error, HttpResponse response) {
  auto it = pending_.find(id);
  if (it == pending_.end()) return;
  std::shared_ptr<Pending> pending = std::move(it->second);
  pending_.erase(it);
  if (pending->transfer_id != 0) loop_->CancelTransfer(pending->transfer_id);
  if (pending->listener_id != 0) pending->call.signal->RemoveListener(pending->listener_id);

  error.attempts = pending->attempts;
  if (!error.ok()) {
    const S3Call& call = pending->call;
    const Credentials& secrets = settings_.credentials;
    error.message =
        Redact(call.method + " s3://" + call.bucket + "/" + call.key + ": " + error.message,
               {secrets.secret_access_key, secrets.session_token, secrets.access_key_id, pending->last_signature});
  }
  pending->done(std::move(error), std::move(response));
}

void RequestRunner::CompleteLater(CallDone done, S3Error error) {
  loop_->Post([done = std::move(done), error = std::move(error)]() mutable { done(std::move(error), HttpResponse()); });
}

}  // namespace stratacache::s3
