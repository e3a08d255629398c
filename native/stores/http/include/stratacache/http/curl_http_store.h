// The http() tier in the Node build: the core's HttpTierStore (which decides what a reply means) sending its
// requests over libcurl, on a thread of its own, with connections kept and reused.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "stratacache/cache_config.h"
#include "stratacache/http_tier_store.h"

namespace stratacache::curl {
class CurlLoop;
class LoopThread;
}  // namespace stratacache::curl

namespace stratacache::http {

struct CurlHttpStoreOptions {
  std::string base_url;
  std::vector<std::pair<std::string, std::string>> headers;  // sent with every request
  // The longest one request takes, whatever the server does (silence, a stalled or trickling body); it then
  // fails with kTimeout. It grows by curl::kDeadlineMsPerMiB for each MiB the response announces.
  int64_t timeout_ms = 10'000;
  int max_concurrent = 16;
};

class CurlHttpStore final : public HttpTierStore {
 public:
  explicit CurlHttpStore(const CurlHttpStoreOptions& options);
  // Completes the requests still open with kClosed.
  ~CurlHttpStore() override;
  // Completes the requests in flight with kClosed, on the store's thread.
  void Cancel() override;

 protected:
  void Send(const std::string& method, const std::string& url, ReplyDone done) override;

 private:
  const std::vector<std::pair<std::string, std::string>> headers_;
  const int64_t timeout_ms_;
  const std::shared_ptr<curl::CurlLoop> loop_;
  std::unique_ptr<curl::LoopThread> thread_;  // last: it goes first
};

// A store for a TierConfig of kind "http", from its settings as TypeScript flattened them: baseUrl, timeoutMs,
// and "headers.<name>" for each header.
std::unique_ptr<Store> MakeHttpStore(const TierConfig& tier, Status* status);

}  // namespace stratacache::http
