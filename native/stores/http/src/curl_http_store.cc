#include "stratacache/http/curl_http_store.h"

#include <algorithm>
#include <charconv>

#include "stratacache/curl/curl_loop.h"
#include "stratacache/curl/loop_thread.h"

namespace stratacache::http {

namespace {

using curl::HttpResponse;
using curl::TransportError;

constexpr std::string_view kHeaderSetting = "headers.";

// A failure to get any response, as the core's status codes tell it.
Status TransportStatus(const HttpResponse& response, int64_t timeout_ms) {
  switch (response.transport) {
    case TransportError::kTimeout:
      return Status(StatusCode::kTimeout,
                    "timed out (timeout " + std::to_string(timeout_ms) + " ms): " + response.transport_message);
    case TransportError::kConnect:
      return Status(StatusCode::kUnavailable, response.transport_message);
    case TransportError::kCancelled:
      return Status(StatusCode::kClosed, "the http tier closed before the request completed", false);
    case TransportError::kTls:
      return Status(StatusCode::kIo, response.transport_message, false);
    default:
      return Status(StatusCode::kIo, response.transport_message);
  }
}

}  // namespace

CurlHttpStore::CurlHttpStore(const CurlHttpStoreOptions& options)
    : HttpTierStore(options.base_url),
      headers_(options.headers),
      timeout_ms_(options.timeout_ms),
      loop_(std::make_shared<curl::CurlLoop>(curl::CurlLoopOptions{.max_concurrent = options.max_concurrent})),
      thread_(std::make_unique<curl::LoopThread>(loop_)) {}

CurlHttpStore::~CurlHttpStore() = default;

void CurlHttpStore::Cancel() {
  loop_->Post([loop = loop_.get()] { loop->CancelAll(); });
}

void CurlHttpStore::Send(const std::string& method, const std::string& url, ReplyDone done) {
  curl::HttpRequest request{.method = method,
                            .url = url,
                            .follow_redirects = true,
                            .deadline_ms = curl::CurlLoop::NowMs() + timeout_ms_,
                            .ms_per_mib = curl::kDeadlineMsPerMiB};
  for (const auto& [name, value] : headers_) request.headers.push_back({name, value});
  // Only the loop (which the task runs on) is used: `done` must not need the store.
  loop_->Post(
      [loop = loop_.get(), timeout_ms = timeout_ms_, request = std::move(request), done = std::move(done)]() mutable {
        loop->StartTransfer(std::move(request), [timeout_ms, done = std::move(done)](HttpResponse response) {
          if (response.transport != TransportError::kNone)
            return done(Reply{TransportStatus(response, timeout_ms), 0, {}});
          done(Reply{Status::Ok(), response.status, std::move(response.body)});
        });
      });
}

std::unique_ptr<Store> MakeHttpStore(const TierConfig& tier, Status* status) {
  CurlHttpStoreOptions options;
  for (const auto& [name, value] : tier.settings) {
    if (name == "baseUrl") options.base_url = value;
    if (name == "timeoutMs") std::from_chars(value.data(), value.data() + value.size(), options.timeout_ms);
    if (name.starts_with(kHeaderSetting)) options.headers.emplace_back(name.substr(kHeaderSetting.size()), value);
  }
  if (options.base_url.empty() || options.timeout_ms <= 0) {
    *status = Status(StatusCode::kInvalidArg, "tier '" + tier.name + "' needs a baseUrl and a positive timeout");
    return nullptr;
  }
  *status = Status::Ok();
  return std::make_unique<CurlHttpStore>(options);
}

}  // namespace stratacache::http
