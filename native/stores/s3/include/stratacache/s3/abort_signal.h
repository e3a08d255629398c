// Cancellation for requests in flight, shaped like the web's AbortSignal so that JavaScript can map its own
// signal onto one: any thread may call Abort(); every request holding the signal then completes promptly with
// S3ErrorKind::kAborted. One signal may serve many requests (the parts of a multipart upload, a whole listing).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

namespace stratacache::s3 {

class AbortSignal {
 public:
  static std::shared_ptr<AbortSignal> Create() { return std::make_shared<AbortSignal>(); }

  // Idempotent. Listeners run on the calling thread, outside any lock.
  void Abort();
  bool aborted() const;

  // Runs `listener` once when the signal aborts, at once if it already has (then returns 0).
  uint64_t AddListener(std::function<void()> listener);
  // Forgets a listener that has not run yet; harmless after it has.
  void RemoveListener(uint64_t id);

 private:
  mutable std::mutex mutex_;
  bool aborted_ = false;
  uint64_t next_id_ = 1;
  std::vector<std::pair<uint64_t, std::function<void()>>> listeners_;
};

}  // namespace stratacache::s3
