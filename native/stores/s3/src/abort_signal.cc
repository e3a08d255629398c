#include "stratacache/s3/abort_signal.h"

#include <algorithm>

namespace stratacache::s3 {

void AbortSignal::Abort() {
  std::vector<std::pair<uint64_t, std::function<void()>>> listeners;
  {
    std::lock_guard lock(mutex_);
    if (aborted_) return;
    aborted_ = true;
    listeners.swap(listeners_);
  }
  for (auto& [id, listener] : listeners) listener();
}

bool AbortSignal::aborted() const {
  std::lock_guard lock(mutex_);
  return aborted_;
}

uint64_t AbortSignal::AddListener(std::function<void()> listener) {
  {
    std::lock_guard lock(mutex_);
    if (!aborted_) {
      listeners_.emplace_back(next_id_, std::move(listener));
      return next_id_++;
    }
  }
  listener();
  return 0;
}

void AbortSignal::RemoveListener(uint64_t id) {
  std::lock_guard lock(mutex_);
  std::erase_if(listeners_, [id](const auto& entry) { return entry.first == id; });
}

}  // namespace stratacache::s3
